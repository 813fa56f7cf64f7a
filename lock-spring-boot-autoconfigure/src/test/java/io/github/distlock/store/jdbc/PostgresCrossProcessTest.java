package io.github.distlock.store.jdbc;

/** Two JVMs, and a killed holder, on PostgreSQL. */
class PostgresCrossProcessTest extends AbstractJdbcCrossProcessTest {

    @Override
    protected JdbcTestStores.Db db() {
        return JdbcTestStores.Db.POSTGRES;
    }
}
