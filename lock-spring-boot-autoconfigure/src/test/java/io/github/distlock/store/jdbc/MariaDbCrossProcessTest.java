package io.github.distlock.store.jdbc;

/** Two JVMs, and a killed holder, on MariaDB at READ COMMITTED. */
class MariaDbCrossProcessTest extends AbstractJdbcCrossProcessTest {

    @Override
    protected JdbcTestStores.Db db() {
        return JdbcTestStores.Db.MARIADB;
    }
}
