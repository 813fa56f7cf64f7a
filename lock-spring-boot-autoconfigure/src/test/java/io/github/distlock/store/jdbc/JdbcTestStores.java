package io.github.distlock.store.jdbc;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

import javax.sql.DataSource;

import com.zaxxer.hikari.HikariConfig;
import io.github.distlock.spi.LockStoreDefinition;
import io.github.distlock.testsupport.JdbcTestServer;
import io.github.distlock.testsupport.MariaDbTestServer;
import io.github.distlock.testsupport.PostgresTestServer;

import org.springframework.beans.factory.support.DefaultListableBeanFactory;

/**
 * The databases of the JDBC store's tests, and stores built on them the way the auto-configuration builds them
 * (through {@link JdbcLockStoreFactory}, table check and all). Pools live as long as the JVM.
 */
final class JdbcTestStores {

    static final Duration OPERATION_TIMEOUT = Duration.ofSeconds(3);
    static final String PREFIX = "distributed-lock.stores.test.jdbc";
    static final String TABLE = "distributed_lock";

    private static final Map<String, DataSource> POOLS = new ConcurrentHashMap<>();

    private JdbcTestStores() {
    }

    /** A test database: the shared server of its kind. */
    enum Db {
        /** The shared PostgreSQL. */
        POSTGRES {
            @Override
            String connectionString() {
                return PostgresTestServer.shared().connectionString();
            }

            @Override
            String setTimeZone(String offset) {
                return "SET TIME ZONE INTERVAL '" + offset + "' HOUR TO MINUTE";
            }
        },
        /** The shared MariaDB. */
        MARIADB {
            @Override
            String connectionString() {
                return MariaDbTestServer.shared().connectionString();
            }

            @Override
            String setTimeZone(String offset) {
                return "SET time_zone = '" + offset + "'";
            }
        },
        /** An in-memory H2 database of this JVM. */
        H2 {
            @Override
            String connectionString() {
                return "jdbc:h2:mem:distlock;DB_CLOSE_DELAY=-1|sa|";
            }

            @Override
            String setTimeZone(String offset) {
                return "SET TIME ZONE '" + offset + "'";
            }
        };

        abstract String connectionString();

        /** SQL setting the session's time zone to a UTC offset such as {@code +14:00}. */
        abstract String setTimeZone(String offset);

        /** A pool whose connections run at READ COMMITTED (MariaDB's own default is REPEATABLE READ). */
        DataSource dataSource() {
            return dataSource("default", config -> { });
        }

        /** A pool of its own for {@code variant}, READ COMMITTED unless {@code customizer} says otherwise. */
        DataSource dataSource(String variant, Consumer<HikariConfig> customizer) {
            return POOLS.computeIfAbsent(name() + "/" + variant, key -> JdbcTestServer.dataSource(connectionString(),
                    config -> {
                        config.setPoolName("test-" + name().toLowerCase() + "-" + variant);
                        config.setTransactionIsolation("TRANSACTION_READ_COMMITTED");
                        customizer.accept(config);
                    }));
        }
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

    /** Runs {@code sql} on a connection of its own, auto-committed; returns the update count (or -1). */
    static int execute(DataSource dataSource, String sql) {
        try (Connection connection = dataSource.getConnection()) {
            connection.setAutoCommit(true);
            return connection.createStatement().executeUpdate(sql);
        } catch (SQLException e) {
            throw new IllegalStateException(sql, e);
        }
    }

    /** A single number {@code sql} reads, on a connection of its own. */
    static long queryLong(DataSource dataSource, String sql, byte[]... parameters) {
        try (Connection connection = dataSource.getConnection();
                var statement = connection.prepareStatement(sql)) {
            for (int i = 0; i < parameters.length; i++) {
                statement.setBytes(i + 1, parameters[i]);
            }
            try (var result = statement.executeQuery()) {
                result.next();
                return result.getLong(1);
            }
        } catch (SQLException e) {
            throw new IllegalStateException(sql, e);
        }
    }
}
