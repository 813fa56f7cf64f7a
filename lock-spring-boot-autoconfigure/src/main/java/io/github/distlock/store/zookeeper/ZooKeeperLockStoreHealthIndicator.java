package io.github.distlock.store.zookeeper;

import java.util.LinkedHashMap;
import java.util.Map;

import io.github.distlock.core.LockStoreRegistry;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.health.contributor.AbstractHealthIndicator;
import org.springframework.boot.health.contributor.Health;

/**
 * UP when every ZooKeeper lock store is connected; details per store: connection, root path, locks held and lost.
 * Unknown when no store is of type zookeeper.
 */
public class ZooKeeperLockStoreHealthIndicator extends AbstractHealthIndicator {

    private final ObjectProvider<LockStoreRegistry> registry;

    public ZooKeeperLockStoreHealthIndicator(ObjectProvider<LockStoreRegistry> registry) {
        super("ZooKeeper lock store health check failed");
        this.registry = registry;
    }

    @Override
    protected void doHealthCheck(Health.Builder builder) {
        LockStoreRegistry stores = registry.getIfAvailable();
        boolean allConnected = true;
        Map<String, Object> details = new LinkedHashMap<>();
        if (stores != null) {
            for (var entry : stores.stores().entrySet()) {
                if (entry.getValue() instanceof ZooKeeperLockStore store) {
                    boolean connected = store.isConnected();
                    allConnected &= connected;
                    Map<String, Object> storeDetails = new LinkedHashMap<>();
                    storeDetails.put("connected", connected);
                    storeDetails.put("connectString", store.connectionString());
                    storeDetails.put("rootPath", store.rootPath());
                    storeDetails.put("heldLocks", store.heldLockCount());
                    storeDetails.put("lostLocks", store.lostLockCount());
                    details.put(entry.getKey(), storeDetails);
                }
            }
        }
        if (details.isEmpty()) {
            // Curator on the classpath, but no store of this type: nothing to report on (as the etcd indicator).
            builder.unknown().withDetail("stores", "no lock store of type zookeeper");
            return;
        }
        (allConnected ? builder.up() : builder.down()).withDetails(details);
    }
}
