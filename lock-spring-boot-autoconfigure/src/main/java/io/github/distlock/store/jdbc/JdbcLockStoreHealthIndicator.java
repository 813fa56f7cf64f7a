package io.github.distlock.store.jdbc;

import java.util.LinkedHashMap;
import java.util.Map;

import io.github.distlock.core.LockStoreRegistry;
import io.github.distlock.health.LockStoresHealthIndicator;

/**
 * Up when every JDBC lock store reads its lock table (a query that returns no row) within its operation timeout;
 * down, naming the stores that failed, otherwise. Unknown when no store is of type jdbc. Details per store: the
 * database, and on PostgreSQL whether release notifications are being received.
 */
public class JdbcLockStoreHealthIndicator extends LockStoresHealthIndicator<JdbcLockStore> {

    public JdbcLockStoreHealthIndicator(LockStoreRegistry registry) {
        super(registry, JdbcLockStore.class, JdbcLockStoreFactory.TYPE);
    }

    @Override
    protected StoreHealth check(JdbcLockStore store) {
        store.checkReachable();
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("status", "UP");
        details.put("database", store.databaseName());
        if (store.notifying()) {
            details.put("releaseNotifications", store.listening() ? "listening" : "reconnecting (waiters poll)");
        }
        return new StoreHealth(true, details);
    }
}
