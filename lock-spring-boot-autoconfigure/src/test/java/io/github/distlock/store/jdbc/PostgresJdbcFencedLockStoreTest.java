package io.github.distlock.store.jdbc;

import io.github.distlock.spi.FencedLockStore;
import io.github.distlock.store.jdbc.JdbcTestStores.Db;
import io.github.distlock.testsupport.AbstractFencedLockStoreTest;

/** Fencing tokens on PostgreSQL: the row's counter, kept by the table across unlocks and restarts. */
class PostgresJdbcFencedLockStoreTest extends AbstractFencedLockStoreTest {

    @Override
    protected FencedLockStore createStore() {
        return JdbcTestStores.store(Db.POSTGRES.dataSource());
    }

    /** A new store on a connection pool of its own, as the restarted application builds. */
    @Override
    protected FencedLockStore createRestartedStore() {
        return JdbcTestStores.store(Db.POSTGRES.dataSource("restarted", config -> { }));
    }
}
