package io.github.distlock.store.jdbc;

import io.github.distlock.testsupport.JdbcTestServer;
import io.github.distlock.testsupport.PostgresTestServer;

/** PostgreSQL restarted under a running application. */
class PostgresRestartTest extends AbstractJdbcDatabaseRestartTest {

    @Override
    protected JdbcTestServer startServer() {
        return PostgresTestServer.startLocalProcess();
    }
}
