package io.github.distlock.store.jdbc;

import io.github.distlock.spi.AbstractLockStoreContractTest;
import io.github.distlock.spi.LockStore;

/** The store contract on H2 in memory. */
class H2JdbcLockStoreContractTest extends AbstractLockStoreContractTest {

    @Override
    protected LockStore createStore() {
        return JdbcTestStores.store(JdbcTestStores.Db.H2.dataSource());
    }
}
