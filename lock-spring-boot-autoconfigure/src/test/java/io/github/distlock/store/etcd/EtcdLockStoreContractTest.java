package io.github.distlock.store.etcd;

import io.github.distlock.spi.LockStore;
import io.github.distlock.testsupport.AbstractLockStoreContractTest;
import io.github.distlock.testsupport.EtcdTestServer;

/**
 * The store contract against a real etcd. The default one-second expiry grace holds: etcd's lessor looks for
 * expired leases every 500 ms and the contract's 2 s lease is at etcd's default minimum TTL, so no widening.
 */
class EtcdLockStoreContractTest extends AbstractLockStoreContractTest {

    @Override
    protected LockStore createStore() {
        return EtcdTestStores.store(EtcdTestServer.shared().endpoint());
    }

    /** A second store with a jetcd client of its own, on the same server. */
    @Override
    protected LockStore createPeerStore() {
        return EtcdTestStores.store(EtcdTestServer.shared().endpoint());
    }
}
