package io.github.distlock.store.jdbc;

import io.github.distlock.spi.ReleaseAwaitingLockStore;
import io.github.distlock.store.jdbc.JdbcTestStores.Db;
import io.github.distlock.testsupport.AbstractReleaseAwaitingLockStoreTest;

/** Waiting for a release on PostgreSQL: woken by PostgreSQL's {@code LISTEN}/{@code NOTIFY}. */
class PostgresJdbcReleaseAwaitingLockStoreTest extends AbstractReleaseAwaitingLockStoreTest {

    @Override
    protected ReleaseAwaitingLockStore createStore() {
        return JdbcTestStores.store(Db.POSTGRES.dataSource());
    }
}
