package io.github.distlock.store.etcd;

import io.github.distlock.core.LockStoreRegistry;
import io.github.distlock.health.LockStoresHealthIndicator;

/**
 * Up when every etcd lock store answers a linearizable read within its request timeout, which needs a reachable
 * cluster with a leader; down, naming the stores that failed, otherwise. Unknown when no store is of type etcd.
 */
public class EtcdLockStoreHealthIndicator extends LockStoresHealthIndicator<EtcdLockStore> {

    public EtcdLockStoreHealthIndicator(LockStoreRegistry registry) {
        super(registry, EtcdLockStore.class, EtcdLockStoreFactory.TYPE);
    }

    @Override
    protected StoreHealth check(EtcdLockStore store) {
        store.checkReachable();
        return new StoreHealth(true, "UP");
    }
}
