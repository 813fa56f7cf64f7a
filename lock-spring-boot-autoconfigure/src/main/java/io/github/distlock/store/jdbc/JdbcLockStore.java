package io.github.distlock.store.jdbc;

import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;

import io.github.distlock.api.LockStatus;
import io.github.distlock.spi.FencedLockStore;
import io.github.distlock.spi.ReleaseAwaitingLockStore;

import org.springframework.dao.DataAccessException;

/**
 * Locks in one table of a relational database (PostgreSQL, MySQL, MariaDB or H2), through Spring's
 * {@code JdbcClient} on the application's {@code DataSource}: one row per key, the lease measured by the database
 * server's clock. The README's "JDBC store" section is the design's one write-up; the SQL is in the
 * {@link LockTableDialect} of each database.
 *
 * <ul>
 *   <li>TryLock: one atomic statement that inserts the row, or takes it over when its lease is over, incrementing
 *       the row's fencing token.</li>
 *   <li>Unlock and LockKeepAlive: one {@code UPDATE} conditioned on the owner and a live lease; when it changes
 *       nothing, a read of the row says whether the key is free ({@code LOCK_UNEXIST}) or held by another owner
 *       ({@code LOCK_BELONG_TO_OTHERS}). Unlock ends the lease but keeps the row, so the token counter survives.</li>
 *   <li>Waiting ({@link #awaitRelease}): on PostgreSQL woken by the {@code NOTIFY} an Unlock sends when someone
 *       waits; otherwise, or while the listening connection is lost, the lease read again every poll interval.</li>
 * </ul>
 * Every operation runs on a connection of its own outside the caller's transaction ({@link LockConnections}),
 * each statement bounded by the store's {@code operation-timeout}. Leases are whole seconds ({@code expireSeconds}),
 * measured by the database server's clock. Any failure (database unreachable, statement timed out, table missing)
 * is thrown as Spring's {@code DataAccessException}, which {@code DistributedLockClient} reports as a
 * {@code LockStoreException}; a failure is never answered as "not acquired". Thread-safe.
 */
public class JdbcLockStore implements FencedLockStore, ReleaseAwaitingLockStore, AutoCloseable {

    private final LockTableDialect dialect;
    private final LockConnections connections;
    private final long pollMillis;
    private final NotificationWaiters waiters;
    private final PostgresReleaseListener listener;

    /**
     * @param waiters  woken on release notifications; {@code null} when there are none (waiting polls)
     * @param listener what feeds {@code waiters}, closed with the store; may be {@code null}
     */
    JdbcLockStore(LockTableDialect dialect, LockConnections connections, Duration pollInterval,
            NotificationWaiters waiters, PostgresReleaseListener listener) {
        this.dialect = dialect;
        this.connections = connections;
        this.pollMillis = Math.max(1, pollInterval.toMillis());
        this.waiters = waiters;
        this.listener = listener;
    }

    @Override
    public boolean tryLock(String key, String owner, int expireSeconds) {
        return tryLockFenced(key, owner, expireSeconds) != NOT_ACQUIRED;
    }

    /**
     * As {@link #tryLock}, returning the grant's fencing token: the row's counter, 1 for the key's first grant ever
     * and one more for every grant after it (across unlocks, expiries and takeovers), or {@link #NOT_ACQUIRED}.
     */
    @Override
    public long tryLockFenced(String key, String owner, int expireSeconds) {
        byte[] storedKey = ColumnBytes.of(key);
        byte[] storedOwner = ColumnBytes.of(owner);
        return connections.run(jdbc -> dialect.tryLock(jdbc, storedKey, storedOwner, expireSeconds));
    }

    @Override
    public LockStatus unlock(String key, String owner) {
        byte[] storedKey = ColumnBytes.of(key);
        byte[] storedOwner = ColumnBytes.of(owner);
        return connections.run(jdbc -> dialect.unlock(jdbc, storedKey, storedOwner) ? LockStatus.SUCCESS
                // Live and ours now means the same owner took it again after the UPDATE found it free.
                : statusOf(dialect.read(jdbc, storedKey), storedOwner, LockStatus.LOCK_UNEXIST));
    }

    @Override
    public LockStatus keepAlive(String key, String owner, int expireSeconds) {
        byte[] storedKey = ColumnBytes.of(key);
        byte[] storedOwner = ColumnBytes.of(owner);
        return connections.run(jdbc -> dialect.keepAlive(jdbc, storedKey, storedOwner, expireSeconds)
                ? LockStatus.SUCCESS
                // Live and ours: MySQL counted no change because the lease already ends where it was asked to.
                : statusOf(dialect.read(jdbc, storedKey), storedOwner, LockStatus.SUCCESS));
    }

    private static LockStatus statusOf(LockTableDialect.Lease lease, byte[] owner, LockStatus liveAndOurs) {
        if (lease == null || !lease.live()) {
            return LockStatus.LOCK_UNEXIST;
        }
        return Arrays.equals(lease.owner(), owner) ? liveAndOurs : LockStatus.LOCK_BELONG_TO_OTHERS;
    }

    /**
     * Returns when the key is free (at once if it is), when its lease ends by the database's clock, or after
     * {@code maxWait}, whichever is first; on PostgreSQL also when a release notification for it arrives, or when the
     * listening connection is lost (the caller's next TryLock tells which). Without notifications the key's lease is
     * read again every poll interval until one of these happens. When a read fails (the database cannot answer),
     * nothing is thrown: this is only a wait, so it sleeps the poll interval (at most {@code maxWait}) and returns, and
     * the caller's next TryLock reports the failure.
     *
     * @throws InterruptedException when the thread is interrupted, before or while waiting
     */
    @Override
    public void awaitRelease(String key, Duration maxWait) throws InterruptedException {
        long deadline = System.nanoTime() + maxWait.toNanos();
        byte[] storedKey = ColumnBytes.of(key);
        while (true) {
            if (Thread.interrupted()) {
                throw new InterruptedException();
            }
            // Registered before the lease is read, so that a notification sent after the read is not missed.
            try (NotificationWaiters.Waiter waiter = waiters == null ? null : waiters.register(storedKey)) {
                boolean notified = waiter != null && waiter.notified();
                long leaseMillis;
                try {
                    LockTableDialect.Lease lease = connections.run(jdbc -> dialect.readWaiting(jdbc, storedKey));
                    if (lease == null || !lease.live()) {
                        return;
                    }
                    leaseMillis = lease.millisLeft();
                } catch (DataAccessException e) {
                    sleep(Math.min(pollMillis, millisUntil(deadline)));
                    return;
                }
                long waitMillis = Math.min(leaseMillis, millisUntil(deadline));
                // The last wait: it ends with the lease or maxWait, or a notification cuts it short.
                boolean last = notified || waitMillis <= pollMillis;
                if (!last) {
                    waitMillis = pollMillis;
                }
                if (waitMillis <= 0) {
                    return;
                }
                if (waiter == null) {
                    sleep(waitMillis);
                } else if (waiter.await(waitMillis)) {
                    return;
                }
                if (last) {
                    return;
                }
            }
        }
    }

    private static long millisUntil(long deadline) {
        return TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
    }

    private static void sleep(long millis) throws InterruptedException {
        if (millis > 0) {
            TimeUnit.MILLISECONDS.sleep(millis);
        }
    }

    /** Milliseconds of lease {@code key} has left by the database's clock; zero or less when free. For tests. */
    long millisLeft(String key) {
        byte[] storedKey = ColumnBytes.of(key);
        LockTableDialect.Lease lease = connections.run(jdbc -> dialect.read(jdbc, storedKey));
        return lease == null ? 0 : lease.millisLeft();
    }

    /** The database family detected at startup: {@code PostgreSQL}, {@code MySQL/MariaDB} or {@code H2}. */
    public String databaseName() {
        return dialect.databaseName();
    }

    /** The lock table's name, as configured ({@code table-name}). */
    public String tableName() {
        return dialect.table;
    }

    /** Whether this store has release notifications (PostgreSQL with {@code release-notifications} on). */
    public boolean notifying() {
        return listener != null;
    }

    /** Whether release notifications reach this store's waiters now. */
    public boolean listening() {
        return listener != null && listener.listening();
    }

    /**
     * Runs a query on the lock table that reads no row, within the operation timeout; throws Spring's
     * {@code DataAccessException} when the database or the table cannot be reached. For the health check
     * ({@code JdbcLockStoreFactory#checkConnection}).
     */
    public void checkReachable() {
        connections.run(jdbc -> jdbc.sql(dialect.probeSql()).query().listOfRows());
    }

    /**
     * Stops the PostgreSQL listener, if any, and gives its connection back to the pool (within about a second); the
     * DataSource is the application's and stays open.
     */
    @Override
    public void close() {
        if (listener != null) {
            listener.close();
        }
    }

    @Override
    public String toString() {
        return "JdbcLockStore[" + dialect.databaseName() + ", table " + dialect.table + "]";
    }
}
