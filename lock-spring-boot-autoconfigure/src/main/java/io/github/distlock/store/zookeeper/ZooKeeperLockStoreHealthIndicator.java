package io.github.distlock.store.zookeeper;

import java.util.LinkedHashMap;
import java.util.Map;

import io.github.distlock.core.LockStoreRegistry;
import io.github.distlock.health.LockStoresHealthIndicator;

/**
 * UP when every ZooKeeper lock store is connected; details per store: connection, root path, locks held and lost.
 * Unknown when no store is of type zookeeper.
 */
public class ZooKeeperLockStoreHealthIndicator extends LockStoresHealthIndicator<ZooKeeperLockStore> {

    public ZooKeeperLockStoreHealthIndicator(LockStoreRegistry registry) {
        super(registry, ZooKeeperLockStore.class, ZooKeeperLockStoreFactory.TYPE);
    }

    @Override
    protected StoreHealth check(ZooKeeperLockStore store) {
        boolean connected = store.isConnected();
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("connected", connected);
        details.put("connectString", store.connectionString());
        details.put("rootPath", store.rootPath());
        details.put("heldLocks", store.heldLockCount());
        details.put("lostLocks", store.lostLockCount());
        return new StoreHealth(connected, details);
    }
}
