package io.github.distlock.store.jdbc;

import io.github.distlock.testsupport.JdbcTestServer;
import io.github.distlock.testsupport.MariaDbTestServer;

/** MariaDB restarted under a running application. */
class MariaDbRestartTest extends AbstractJdbcDatabaseRestartTest {

    @Override
    protected JdbcTestServer startServer() {
        return MariaDbTestServer.startLocalProcess();
    }
}
