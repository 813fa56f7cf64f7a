package io.github.distlock.store.jdbc;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.concurrent.Executor;
import java.util.function.Function;

import javax.sql.DataSource;

import org.springframework.dao.ConcurrencyFailureException;
import org.springframework.jdbc.core.ConnectionCallback;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.transaction.TransactionDefinition;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Runs each lock operation on a pooled connection of its own, never on the caller's: a lock taken or released
 * inside the application's transaction stays taken or released when that transaction rolls back, and a lock
 * operation never commits the caller's work.
 *
 * <p>The caller's transaction (if any) is suspended with {@code PROPAGATION_NOT_SUPPORTED}, so Spring binds a
 * different connection for the operation and returns it to the pool right after. The statements then run as short
 * transactions of their own: with the pool's usual auto-commit each statement commits by itself (one round trip,
 * no BEGIN/COMMIT), and on a pool that hands out connections in manual-commit mode the operation commits (or rolls
 * back) explicitly before the connection goes back.
 *
 * <p>Every statement is bounded by the operation timeout twice: as the JDBC query timeout (the database cancels
 * it), and as the connection's network timeout for the operation (the driver gives up on a server that does not
 * answer at all), restored afterwards so that the pool's connections keep their own setting.
 */
final class LockConnections {

    private static final Executor DIRECT = Runnable::run;
    private static final int ATTEMPTS = 3;

    private final JdbcTemplate template;
    private final JdbcClient jdbc;
    private final TransactionTemplate outsideCallerTransaction;
    private final int networkTimeoutMillis;
    private volatile boolean networkTimeoutSupported = true;

    LockConnections(DataSource dataSource, Duration operationTimeout) {
        this.template = new JdbcTemplate(dataSource);
        // Whole seconds in JDBC; rounded up so that it never cuts an operation shorter than configured.
        this.template.setQueryTimeout((int) Math.max(1, (operationTimeout.toMillis() + 999) / 1000));
        this.jdbc = JdbcClient.create(template);
        this.outsideCallerTransaction = new TransactionTemplate(new DataSourceTransactionManager(dataSource));
        this.outsideCallerTransaction.setPropagationBehavior(TransactionDefinition.PROPAGATION_NOT_SUPPORTED);
        this.networkTimeoutMillis = (int) Math.min(Integer.MAX_VALUE, Math.max(1, operationTimeout.toMillis()));
    }

    /**
     * Runs {@code work} as described in the class comment; its statements all use the same connection. A
     * serialization failure or deadlock (SQLSTATE class 40: the database rolled the statement back, so it had no
     * effect) runs the whole of {@code work} again, at most {@value #ATTEMPTS} times in all: PostgreSQL raises one
     * for a contended TryLock when the pool runs at REPEATABLE READ or above.
     */
    <T> T run(Function<JdbcClient, T> work) {
        for (int attempt = 1; ; attempt++) {
            try {
                return outsideCallerTransaction.execute(status ->
                        template.execute((ConnectionCallback<T>) connection -> runOn(connection, work)));
            } catch (ConcurrencyFailureException e) {
                if (attempt >= ATTEMPTS || !rolledBack(e)) {
                    throw e;
                }
            }
        }
    }

    private static boolean rolledBack(Throwable failure) {
        for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
            if (cause instanceof SQLException sql && sql.getSQLState() != null && sql.getSQLState().startsWith("40")) {
                return true;
            }
        }
        return false;
    }

    private <T> T runOn(Connection connection, Function<JdbcClient, T> work) throws SQLException {
        int previousNetworkTimeout = limitNetworkTime(connection);
        boolean manualCommit = !connection.getAutoCommit();
        boolean done = false;
        try {
            T result = work.apply(jdbc);
            if (manualCommit) {
                connection.commit();
            }
            done = true;
            return result;
        } finally {
            if (manualCommit && !done) {
                rollbackQuietly(connection);
            }
            restoreNetworkTime(connection, previousNetworkTimeout);
        }
    }

    private int limitNetworkTime(Connection connection) {
        if (!networkTimeoutSupported) {
            return -1;
        }
        try {
            int previous = connection.getNetworkTimeout();
            connection.setNetworkTimeout(DIRECT, networkTimeoutMillis);
            return previous;
        } catch (SQLException | UnsupportedOperationException | AbstractMethodError e) {
            // A driver without network timeouts (H2 embedded, say): the query timeout alone bounds statements.
            networkTimeoutSupported = false;
            return -1;
        }
    }

    private static void restoreNetworkTime(Connection connection, int previous) {
        if (previous < 0) {
            return;
        }
        try {
            connection.setNetworkTimeout(DIRECT, previous);
        } catch (SQLException e) {
            // The connection broke; the pool discards it.
        }
    }

    private static void rollbackQuietly(Connection connection) {
        try {
            connection.rollback();
        } catch (SQLException e) {
            // The failure that brought us here is the one to report.
        }
    }
}
