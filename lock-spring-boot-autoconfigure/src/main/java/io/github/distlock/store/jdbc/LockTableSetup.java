package io.github.distlock.store.jdbc;

import java.sql.Connection;
import java.sql.DatabaseMetaData;

import javax.sql.DataSource;

import io.github.distlock.api.InvalidLockConfigurationException;
import io.github.distlock.spi.LockStoreDefinition;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import org.springframework.dao.DataAccessException;
import org.springframework.jdbc.BadSqlGrammarException;
import org.springframework.jdbc.core.ConnectionCallback;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * At startup: which database the DataSource reaches, the lock table created when asked to, and the table checked,
 * each failure stopping startup with the property at fault (and, for a missing table, the DDL to run).
 */
final class LockTableSetup {

    private static final Log logger = LogFactory.getLog(LockTableSetup.class);

    private LockTableSetup() {
    }

    /** The lock table's SQL for the database found, and that database's JDBC URL as its driver reports it. */
    record PreparedTable(LockTableDialect dialect, String url) {
    }

    /** Detects the database, creates the table if {@code create-table} is on, checks it. */
    static PreparedTable prepare(LockStoreDefinition<JdbcLockStoreProperties> definition, DataSource dataSource,
            LockConnections connections, String table) {
        JdbcLockStoreProperties properties = definition.properties();
        Database database = detect(definition, dataSource);
        LockTableDialect dialect = LockTableDialect.forProduct(database.product(), table,
                properties.isReleaseNotifications());
        if (dialect == null) {
            throw new InvalidLockConfigurationException(definition.typeProperty(),
                    "Lock store '" + definition.storeName() + "' reaches a database of type " + database.product()
                            + " database; the jdbc store supports " + LockTableDialect.supported() + ".",
                    "Point " + definition.property("data-source") + " at a supported database, or use another "
                            + "store type.");
        }
        if (dialect instanceof PostgresLockTable && database.isolation() > Connection.TRANSACTION_READ_COMMITTED) {
            logger.warn("Lock store '" + definition.storeName() + "': the DataSource's connections default to an "
                    + "isolation level above READ COMMITTED; under contention PostgreSQL then aborts lock "
                    + "statements with serialization failures, which the store retries (up to 3 times) and then "
                    + "reports as store errors. Use READ COMMITTED, PostgreSQL's default.");
        }
        DataAccessException createFailure = null;
        if (properties.isCreateTable()) {
            try {
                connections.run(jdbc -> jdbc.sql(dialect.createTableSql()).update());
            } catch (DataAccessException e) {
                // Another instance creating it at the same moment can fail this one; the check below decides.
                createFailure = e;
            }
        }
        check(definition, connections, dialect, table, createFailure);
        return new PreparedTable(dialect, database.url());
    }

    private static void check(LockStoreDefinition<JdbcLockStoreProperties> definition, LockConnections connections,
            LockTableDialect dialect, String table, DataAccessException createFailure) {
        try {
            connections.run(jdbc -> jdbc.sql(dialect.probeSql()).query().listOfRows());
        } catch (BadSqlGrammarException e) {
            String problem = "Lock table '" + table + "' of lock store '" + definition.storeName() + "' is missing or "
                    + "lacks the lock columns in the " + dialect.databaseName() + " database (" + rootMessage(e) + ")";
            String ddl = "\n\n" + dialect.createTableSql() + ";\n\n";
            if (createFailure != null) {
                throw new InvalidLockConfigurationException(definition.property("create-table"),
                        problem + ", and creating it failed: " + rootMessage(createFailure) + ".",
                        "Let the database user create tables there, or create it yourself:" + ddl);
            }
            if (definition.properties().isCreateTable()) {
                // CREATE TABLE IF NOT EXISTS did nothing: a table of that name exists, with other columns.
                throw new InvalidLockConfigurationException(definition.property("table-name"), problem + ".",
                        "Name a table of the store's own, or give that one the lock table's columns:" + ddl);
            }
            throw new InvalidLockConfigurationException(definition.property("create-table"), problem + ".",
                    "Create it with your migrations (the README has Flyway and Liquibase snippets):" + ddl
                            + "or set " + definition.property("create-table") + "=true to have it created at startup.");
        } catch (DataAccessException e) {
            throw unreachable(definition, e);
        }
    }

    private static Database detect(LockStoreDefinition<JdbcLockStoreProperties> definition, DataSource dataSource) {
        try {
            return new JdbcTemplate(dataSource).execute((ConnectionCallback<Database>) connection -> {
                DatabaseMetaData metaData = connection.getMetaData();
                return new Database(metaData.getDatabaseProductName(), connection.getTransactionIsolation(),
                        metaData.getURL());
            });
        } catch (DataAccessException e) {
            throw unreachable(definition, e);
        }
    }

    private static InvalidLockConfigurationException unreachable(
            LockStoreDefinition<JdbcLockStoreProperties> definition, DataAccessException e) {
        return new InvalidLockConfigurationException(definition.property("data-source"),
                "Lock store '" + definition.storeName() + "' could not reach its database to check the lock table: "
                        + rootMessage(e),
                "Check the DataSource's settings (spring.datasource.*) and that the database is up.");
    }

    private static String rootMessage(Throwable e) {
        Throwable root = e;
        for (int depth = 0; depth < 20 && root.getCause() != null; depth++) {
            root = root.getCause();
        }
        return root.getMessage() == null ? root.getClass().getName() : root.getMessage();
    }

    private record Database(String product, int isolation, String url) {
    }
}
