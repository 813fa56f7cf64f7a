package io.github.distlock.store.etcd;

import io.github.distlock.reactive.AbstractReactiveLockTest;
import io.github.distlock.spi.LockStore;
import io.github.distlock.testsupport.EtcdTestServer;

/** The reactive lock path on a real etcd, which signals releases through watches and hands out fencing tokens. */
class EtcdReactiveLockTest extends AbstractReactiveLockTest {

    @Override
    protected LockStore createStore() {
        return EtcdTestStores.store(EtcdTestServer.shared().endpoint());
    }

    @Override
    protected LockStore createPeerStore() {
        return createStore();
    }
}
