package io.github.distlock.store.etcd;

import io.github.distlock.spi.ReleaseAwaitingLockStore;
import io.github.distlock.testsupport.AbstractReleaseAwaitingLockStoreTest;
import io.github.distlock.testsupport.EtcdTestServer;

/** The release-awaiting capability on a real etcd: one watch per waited key, from the revision after its read. */
class EtcdReleaseAwaitingLockStoreTest extends AbstractReleaseAwaitingLockStoreTest {

    @Override
    protected ReleaseAwaitingLockStore createStore() {
        return EtcdTestStores.store(EtcdTestServer.shared().endpoint());
    }
}
