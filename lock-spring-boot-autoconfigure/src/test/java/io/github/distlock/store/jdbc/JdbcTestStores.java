package io.github.distlock.store.jdbc;

import java.sql.Connection;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

import javax.sql.DataSource;

import com.zaxxer.hikari.HikariDataSource;
import io.github.distlock.spi.LockStoreDefinition;
import io.github.distlock.testsupport.JdbcTestServer;
import io.github.distlock.testsupport.MariaDbTestServer;
import io.github.distlock.testsupport.PostgresTestServer;

import org.springframework.beans.factory.support.DefaultListableBeanFactory;

/**
 * Builds JDBC lock stores for tests the way the auto-configuration does, through {@link JdbcLockStoreFactory} (table
 * check and all), on pools that live as long as the JVM.
 */
final class JdbcTestStores {

    static final Duration OPERATION_TIMEOUT = Duration.ofSeconds(3);
    static final String PREFIX = "distributed-lock.stores.test.jdbc";

    private static final Map<String, HikariDataSource> POOLS = new ConcurrentHashMap<>();

    private JdbcTestStores() {
    }

    /** The shared PostgreSQL, through a pool at READ COMMITTED (PostgreSQL's default). */
    static DataSource postgres() {
        return pool("postgres", PostgresTestServer.shared().connectionString());
    }

    /** The shared MariaDB, through a pool whose connections run at READ COMMITTED (MariaDB defaults to REPEATABLE READ). */
    static DataSource mariaDb() {
        return pool("mariadb", MariaDbTestServer.shared().connectionString());
    }

    /** An in-memory H2 database of this JVM. */
    static DataSource h2() {
        return pool("h2", "jdbc:h2:mem:distlock;DB_CLOSE_DELAY=-1|sa|");
    }

    private static DataSource pool(String name, String connectionString) {
        return POOLS.computeIfAbsent(name, n -> JdbcTestServer.dataSource(connectionString,
                config -> config.setTransactionIsolation("TRANSACTION_READ_COMMITTED")));
    }

    /** Settings as the tests use them: the table created, a short operation timeout; then {@code customizer}. */
    static JdbcLockStoreProperties properties(Consumer<JdbcLockStoreProperties> customizer) {
        JdbcLockStoreProperties properties = new JdbcLockStoreProperties();
        properties.setCreateTable(true);
        properties.setOperationTimeout(OPERATION_TIMEOUT);
        customizer.accept(properties);
        return properties;
    }

    static JdbcLockStore store(DataSource dataSource) {
        return store(dataSource, properties -> { });
    }

    static JdbcLockStore store(DataSource dataSource, Consumer<JdbcLockStoreProperties> customizer) {
        DefaultListableBeanFactory beans = new DefaultListableBeanFactory();
        beans.registerSingleton("dataSource", dataSource);
        return (JdbcLockStore) new JdbcLockStoreFactory(beans)
                .create(new LockStoreDefinition<>("test", properties(customizer), PREFIX));
    }

    /** Runs {@code sql} on a connection of {@code dataSource}, auto-committed. */
    static void execute(DataSource dataSource, String sql) {
        try (Connection connection = dataSource.getConnection()) {
            connection.setAutoCommit(true);
            connection.createStatement().execute(sql);
        } catch (java.sql.SQLException e) {
            throw new IllegalStateException(sql, e);
        }
    }
}
