package io.github.distlock.store.jdbc;

import io.github.distlock.spi.LockStore;
import io.github.distlock.store.jdbc.JdbcTestStores.Db;
import io.github.distlock.testsupport.AbstractLockStoreContractTest;

/** The store contract on H2 in memory; the peer is a store on a connection pool of its own, as another instance has. */
class H2JdbcLockStoreContractTest extends AbstractLockStoreContractTest {

    @Override
    protected LockStore createStore() {
        return JdbcTestStores.store(Db.H2.dataSource());
    }

    @Override
    protected LockStore createPeerStore() {
        return JdbcTestStores.store(Db.H2.dataSource("peer", config -> { }));
    }
}
