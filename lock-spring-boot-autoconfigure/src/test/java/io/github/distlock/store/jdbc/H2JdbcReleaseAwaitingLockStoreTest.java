package io.github.distlock.store.jdbc;

import io.github.distlock.spi.ReleaseAwaitingLockStore;
import io.github.distlock.store.jdbc.JdbcTestStores.Db;
import io.github.distlock.testsupport.AbstractReleaseAwaitingLockStoreTest;

/** Waiting for a release on H2 in memory: woken by reading the lease every poll interval (100 ms, the default). */
class H2JdbcReleaseAwaitingLockStoreTest extends AbstractReleaseAwaitingLockStoreTest {

    @Override
    protected ReleaseAwaitingLockStore createStore() {
        return JdbcTestStores.store(Db.H2.dataSource());
    }
}
