package io.github.distlock.store.etcd;

import io.github.distlock.spi.FencedLockStore;
import io.github.distlock.testsupport.AbstractFencedLockStoreTest;
import io.github.distlock.testsupport.EtcdTestServer;

/** Fencing tokens on a real etcd: the key's create revision. */
class EtcdFencedLockStoreTest extends AbstractFencedLockStoreTest {

    @Override
    protected FencedLockStore createStore() {
        return EtcdTestStores.store(EtcdTestServer.shared().endpoint());
    }

    @Override
    protected FencedLockStore createRestartedStore() {
        return EtcdTestStores.store(EtcdTestServer.shared().endpoint());
    }
}
