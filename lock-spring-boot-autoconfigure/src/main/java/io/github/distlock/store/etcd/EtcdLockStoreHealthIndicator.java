package io.github.distlock.store.etcd;

import java.util.LinkedHashMap;
import java.util.Map;

import io.github.distlock.core.LockStoreRegistry;
import io.github.distlock.spi.LockStore;

import org.springframework.boot.health.contributor.AbstractHealthIndicator;
import org.springframework.boot.health.contributor.Health;

/**
 * Up when every etcd lock store answers a linearizable read within its request timeout, which needs a reachable
 * cluster with a leader; down, naming the stores that failed, otherwise. Unknown when no store is of type etcd.
 */
public class EtcdLockStoreHealthIndicator extends AbstractHealthIndicator {

    private final LockStoreRegistry registry;

    public EtcdLockStoreHealthIndicator(LockStoreRegistry registry) {
        super("etcd lock store health check failed");
        this.registry = registry;
    }

    @Override
    protected void doHealthCheck(Health.Builder builder) {
        Map<String, Object> details = new LinkedHashMap<>();
        boolean any = false;
        boolean allUp = true;
        for (Map.Entry<String, LockStore> entry : registry.stores().entrySet()) {
            if (!(entry.getValue() instanceof EtcdLockStore store)) {
                continue;
            }
            any = true;
            try {
                store.checkReachable();
                details.put(entry.getKey(), "UP");
            } catch (RuntimeException e) {
                allUp = false;
                details.put(entry.getKey(), "DOWN: " + e.getMessage());
            }
        }
        if (!any) {
            builder.unknown().withDetail("stores", "no lock store of type etcd");
            return;
        }
        (allUp ? builder.up() : builder.down()).withDetails(details);
    }
}
