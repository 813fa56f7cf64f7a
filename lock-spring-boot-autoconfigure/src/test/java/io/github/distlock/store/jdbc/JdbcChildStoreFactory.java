package io.github.distlock.store.jdbc;

import java.util.UUID;

import io.github.distlock.api.LockStatus;
import io.github.distlock.spi.LockStore;
import io.github.distlock.testsupport.ChildJvm;
import io.github.distlock.testsupport.JdbcTestServer;

/** Builds the JDBC store in a {@link ChildJvm}, from the database's {@link JdbcTestServer#connectionString()}. */
public class JdbcChildStoreFactory implements ChildJvm.StoreFactory {

    @Override
    public LockStore create(String connectionString) {
        JdbcLockStore store = JdbcTestStores.store(JdbcTestServer.dataSource(connectionString,
                config -> config.setTransactionIsolation("TRANSACTION_READ_COMMITTED")));
        // One lock and unlock first, so that the pool's first connection and class loading are done before the
        // child's real TryLock, which the kill -9 test times.
        String key = "child-warm-up-" + UUID.randomUUID();
        if (!store.tryLock(key, "warm-up", 10) || store.unlock(key, "warm-up") != LockStatus.SUCCESS) {
            throw new IllegalStateException("Warm-up lock on " + key + " failed");
        }
        return store;
    }
}
