package io.github.distlock.store.jdbc;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

import javax.sql.DataSource;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;

/**
 * One thread per store holding one connection of the pool in {@code LISTEN} on {@value #CHANNEL}, passing each
 * release notification (payload: the stored key in hex) to the {@link NotificationWaiters}.
 *
 * <p>A silent network failure would leave a blocking read waiting forever, so the connection is checked with a
 * {@code SELECT 1} (bounded by the operation timeout) after every {@link #CHECK_INTERVAL} without traffic. When the
 * connection fails, the waiters are told at once (they fall back to polling) and the listener reconnects with
 * backoff; notifications sent meanwhile are lost, which costs waiters at most their poll interval.
 */
final class PostgresReleaseListener implements AutoCloseable {

    /** The notification channel; one for all tables, since a wake-up is only a hint to try again. */
    static final String CHANNEL = "distlock_release";

    private static final Log logger = LogFactory.getLog(PostgresReleaseListener.class);
    private static final int RECEIVE_MILLIS = 250;
    private static final Duration CHECK_INTERVAL = Duration.ofSeconds(5);
    private static final long MAX_BACKOFF_MILLIS = 5_000;

    private final DataSource dataSource;
    private final NotificationWaiters waiters;
    private final int checkTimeoutSeconds;
    private final Thread thread;
    private volatile boolean closed;

    PostgresReleaseListener(DataSource dataSource, NotificationWaiters waiters, Duration operationTimeout,
            String storeName) {
        this.dataSource = dataSource;
        this.waiters = waiters;
        this.checkTimeoutSeconds = (int) Math.max(1, (operationTimeout.toMillis() + 999) / 1000);
        this.thread = new Thread(this::run, "distlock-jdbc-listen-" + storeName);
        this.thread.setDaemon(true);
    }

    void start() {
        thread.start();
    }

    private void run() {
        long backoffMillis = 100;
        boolean failedBefore = false;
        while (!closed) {
            try (Connection connection = dataSource.getConnection()) {
                if (!connection.isWrapperFor(PGConnection.class)) {
                    logger.warn("Lock release notifications are off: the DataSource's connections are not PostgreSQL "
                            + "JDBC driver connections; waiting lock calls poll instead");
                    return;
                }
                listen(connection);
                if (failedBefore) {
                    logger.info("Listening for lock releases again");
                }
                failedBefore = false;
                backoffMillis = 100;
                receive(connection, connection.unwrap(PGConnection.class));
            } catch (SQLException | RuntimeException e) {
                waiters.listening(false);
                if (closed) {
                    return;
                }
                if (!failedBefore) {
                    logger.warn("Lost the connection listening for lock releases; waiting lock calls poll until it "
                            + "is back: " + e);
                }
                failedBefore = true;
                if (!sleep(backoffMillis)) {
                    return;
                }
                backoffMillis = Math.min(MAX_BACKOFF_MILLIS, backoffMillis * 2);
            } finally {
                waiters.listening(false);
            }
        }
    }

    private void listen(Connection connection) throws SQLException {
        // Bounds the check's SELECT 1 even when the server is unreachable (a query timeout needs the server);
        // the pool restores its own setting when the connection goes back.
        connection.setNetworkTimeout(Runnable::run, checkTimeoutSeconds * 1000);
        // LISTEN inside a transaction would only start at its commit.
        connection.setAutoCommit(true);
        try (Statement statement = connection.createStatement()) {
            statement.execute("LISTEN " + CHANNEL);
        }
        waiters.listening(true);
    }

    private void receive(Connection connection, PGConnection pg) throws SQLException {
        long lastTraffic = System.nanoTime();
        while (!closed) {
            PGNotification[] notifications = pg.getNotifications(RECEIVE_MILLIS);
            if (notifications != null && notifications.length > 0) {
                lastTraffic = System.nanoTime();
                for (PGNotification notification : notifications) {
                    if (CHANNEL.equals(notification.getName())) {
                        waiters.released(notification.getParameter());
                    }
                }
            } else if (System.nanoTime() - lastTraffic > CHECK_INTERVAL.toNanos()) {
                try (Statement statement = connection.createStatement()) {
                    statement.setQueryTimeout(checkTimeoutSeconds);
                    statement.execute("SELECT 1");
                }
                lastTraffic = System.nanoTime();
            }
        }
    }

    /** Whether a notification reaches waiters now; for health and tests. */
    boolean listening() {
        return waiters.listening();
    }

    private boolean sleep(long millis) {
        try {
            TimeUnit.MILLISECONDS.sleep(millis);
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** Stops the thread and returns its connection to the pool, within about {@link #RECEIVE_MILLIS}. */
    @Override
    public void close() {
        closed = true;
        thread.interrupt();
        try {
            thread.join(TimeUnit.SECONDS.toMillis(checkTimeoutSeconds) + 2 * RECEIVE_MILLIS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
