package io.github.distlock.store.jdbc;

import io.github.distlock.spi.LockStore;
import io.github.distlock.store.jdbc.JdbcTestStores.Db;
import io.github.distlock.testsupport.AbstractLockStoreContractTest;

/** The store contract on PostgreSQL; the peer is a store on a connection pool of its own, as another instance has. */
class PostgresJdbcLockStoreContractTest extends AbstractLockStoreContractTest {

    @Override
    protected LockStore createStore() {
        return JdbcTestStores.store(Db.POSTGRES.dataSource());
    }

    @Override
    protected LockStore createPeerStore() {
        return JdbcTestStores.store(Db.POSTGRES.dataSource("peer", config -> { }));
    }
}
