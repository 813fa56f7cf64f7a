package io.github.distlock.store.jdbc;

import io.github.distlock.spi.AbstractLockStoreContractTest;
import io.github.distlock.spi.LockStore;

/** The store contract on Postgres. */
class PostgresJdbcLockStoreContractTest extends AbstractLockStoreContractTest {

    @Override
    protected LockStore createStore() {
        return JdbcTestStores.store(JdbcTestStores.Db.POSTGRES.dataSource());
    }
}
