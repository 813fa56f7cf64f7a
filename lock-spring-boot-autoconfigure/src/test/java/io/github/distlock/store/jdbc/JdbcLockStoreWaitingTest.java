package io.github.distlock.store.jdbc;

import java.sql.Connection;
import java.time.Duration;
import java.util.HexFormat;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import javax.sql.DataSource;

import io.github.distlock.api.LockStatus;
import io.github.distlock.store.jdbc.JdbcTestStores.Db;
import org.junit.jupiter.api.Test;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * {@code awaitRelease}: on PostgreSQL woken by the Unlock's notification; everywhere (and on PostgreSQL without
 * notifications) back after the poll interval or at the lease's end; never later than the wait allowed, also when
 * the listening connection is lost.
 */
class JdbcLockStoreWaitingTest {

    private static final Duration LONG_POLL = Duration.ofSeconds(30);

    private static String key() {
        return "waiting-" + UUID.randomUUID();
    }

    /** A store that polls every {@code poll}, with no notifications. */
    private static JdbcLockStore polling(Db db, Duration poll) {
        return JdbcTestStores.store(db.dataSource(), properties -> {
            properties.setPollInterval(poll);
            properties.setReleaseNotifications(false);
        });
    }

    /** Milliseconds {@code store.awaitRelease(key, maxWait)} took. */
    private static long awaitMillis(JdbcLockStore store, String key, Duration maxWait) throws InterruptedException {
        long start = System.nanoTime();
        store.awaitRelease(key, maxWait);
        return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
    }

    @ParameterizedTest
    @EnumSource(Db.class)
    void aFreeKeyReturnsAtOnce(Db db) throws Exception {
        try (JdbcLockStore store = polling(db, LONG_POLL)) {
            String released = key();
            assertThat(store.tryLock(released, "a", 60)).isTrue();
            assertThat(store.unlock(released, "a")).isEqualTo(LockStatus.SUCCESS);
            assertThat(awaitMillis(store, key(), Duration.ofSeconds(10))).as("never locked").isLessThan(500);
            assertThat(awaitMillis(store, released, Duration.ofSeconds(10))).as("released").isLessThan(500);
        }
    }

    /** Without notifications the waiter reads the lease every poll interval, and returns at the first look free. */
    @ParameterizedTest
    @EnumSource(Db.class)
    void withoutNotificationsAWaiterSeesTheUnlockAtItsNextPoll(Db db) throws Exception {
        try (JdbcLockStore store = polling(db, Duration.ofMillis(300))) {
            String key = key();
            assertThat(store.tryLock(key, "holder", 60)).isTrue();
            CompletableFuture<Long> returnedAt = waitInBackground(store, key, Duration.ofSeconds(20));
            Thread.sleep(1000);
            assertThat(returnedAt).as("still held after several polls: the waiter waits").isNotDone();
            long unlockedAt = System.nanoTime();
            assertThat(store.unlock(key, "holder")).isEqualTo(LockStatus.SUCCESS);
            long latency = TimeUnit.NANOSECONDS.toMillis(returnedAt.get(10, TimeUnit.SECONDS) - unlockedAt);
            assertThat(latency).as("from the Unlock to the waiter's return (poll interval 300 ms, wait 20 s)")
                    .isLessThan(1500);
        }
    }

    @ParameterizedTest
    @EnumSource(Db.class)
    void aWaiterIsBackWhenTheLeaseEndsByTheDatabasesClock(Db db) throws Exception {
        try (JdbcLockStore store = polling(db, LONG_POLL)) {
            String key = key();
            long start = System.nanoTime();
            assertThat(store.tryLock(key, "holder", 2)).isTrue();
            store.awaitRelease(key, Duration.ofSeconds(20));
            long waited = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
            assertThat(waited).as("from TryLock to the waiter's return").isBetween(1900L, 2800L);
            assertThat(store.tryLock(key, "next", 60)).as("free when the waiter returns").isTrue();
        }
    }

    @ParameterizedTest
    @EnumSource(Db.class)
    void aWaiterNeverWaitsPastItsMaxWait(Db db) throws Exception {
        try (JdbcLockStore store = JdbcTestStores.store(db.dataSource(), p -> p.setPollInterval(LONG_POLL))) {
            String key = key();
            assertThat(store.tryLock(key, "holder", 60)).isTrue();
            assertThat(awaitMillis(store, key, Duration.ofMillis(400))).isBetween(380L, 1500L);
        }
    }

    @Test
    void onPostgresAnUnlockWakesTheWaiterAtOnce() throws Exception {
        DataSource dataSource = Db.POSTGRES.dataSource();
        try (JdbcLockStore waiting = JdbcTestStores.store(dataSource, p -> p.setPollInterval(LONG_POLL));
                JdbcLockStore holding = JdbcTestStores.store(dataSource)) {
            await().atMost(Duration.ofSeconds(10)).until(waiting::listening);
            for (int i = 0; i < 3; i++) {
                String key = key();
                assertThat(holding.tryLock(key, "holder", 60)).isTrue();
                CompletableFuture<Long> returnedAt = waitInBackground(waiting, key, Duration.ofSeconds(20));
                Thread.sleep(300); // the waiter has read the lease and sleeps
                long unlockedAt = System.nanoTime();
                assertThat(holding.unlock(key, "holder")).isEqualTo(LockStatus.SUCCESS);
                long latency = TimeUnit.NANOSECONDS.toMillis(returnedAt.get(10, TimeUnit.SECONDS) - unlockedAt);
                assertThat(latency).as("from the Unlock to the waiter's return").isLessThan(500);
            }
        }
    }

    /** NOTIFY costs every listener a wake-up, so an Unlock sends one only when someone waits for the lock. */
    @Test
    void onPostgresAnUnlockNotifiesOnlyWhenSomeoneWaits() throws Exception {
        try (JdbcLockStore store = JdbcTestStores.store(Db.POSTGRES.dataSource(), p -> p.setPollInterval(LONG_POLL));
                Connection listening = Db.POSTGRES.dataSource().getConnection()) {
            listening.setAutoCommit(true);
            listening.createStatement().execute("LISTEN " + PostgresReleaseListener.CHANNEL);
            PGConnection notifications = listening.unwrap(PGConnection.class);
            await().atMost(Duration.ofSeconds(10)).until(store::listening);

            String alone = key();
            assertThat(store.tryLock(alone, "holder", 60)).isTrue();
            assertThat(store.unlock(alone, "holder")).isEqualTo(LockStatus.SUCCESS);
            assertThat(received(notifications, alone, Duration.ofMillis(500))).as("notified without a waiter")
                    .isFalse();

            String awaited = key();
            assertThat(store.tryLock(awaited, "holder", 60)).isTrue();
            CompletableFuture<Long> returnedAt = waitInBackground(store, awaited, Duration.ofSeconds(20));
            Thread.sleep(300);
            assertThat(store.unlock(awaited, "holder")).isEqualTo(LockStatus.SUCCESS);
            assertThat(received(notifications, awaited, Duration.ofSeconds(5))).as("notified with a waiter").isTrue();
            returnedAt.get(10, TimeUnit.SECONDS);
        }
    }

    /** Whether a release notification for {@code key} arrives on {@code connection} within {@code timeout}. */
    private static boolean received(PGConnection connection, String key, Duration timeout) throws Exception {
        String payload = HexFormat.of().formatHex(ColumnBytes.of(key));
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            PGNotification[] arrived = connection.getNotifications(100);
            for (PGNotification notification : arrived == null ? new PGNotification[0] : arrived) {
                if (payload.equals(notification.getParameter())) {
                    return true;
                }
            }
        }
        return false;
    }

    @Test
    void aLostListeningConnectionWakesTheWaitersAndIsReplaced() throws Exception {
        String application = "listener-loss-" + UUID.randomUUID().toString().substring(0, 8);
        DataSource own = Db.POSTGRES.dataSource(application,
                config -> config.addDataSourceProperty("ApplicationName", application));
        try (JdbcLockStore store = JdbcTestStores.store(own, p -> p.setPollInterval(LONG_POLL))) {
            await().atMost(Duration.ofSeconds(10)).until(store::listening);
            String key = key();
            assertThat(store.tryLock(key, "holder", 60)).isTrue();
            CompletableFuture<Long> returnedAt = waitInBackground(store, key, Duration.ofSeconds(20));
            Thread.sleep(300);
            long killedAt = System.nanoTime();
            long killed = JdbcTestStores.queryLong(Db.POSTGRES.dataSource(), "SELECT COUNT(pg_terminate_backend(pid))"
                    + " FROM pg_stat_activity WHERE application_name = '" + application + "'");
            assertThat(killed).as("connections of the store's pool ended").isPositive();
            long woken = TimeUnit.NANOSECONDS.toMillis(returnedAt.get(10, TimeUnit.SECONDS) - killedAt);
            assertThat(woken).as("from losing the connection to the waiter's return (its wait: 20 s, its lease 60 s)")
                    .isLessThan(3000);
            await().atMost(Duration.ofSeconds(15)).until(store::listening);
            CompletableFuture<Long> again = waitInBackground(store, key, Duration.ofSeconds(20));
            Thread.sleep(300);
            long unlockedAt = System.nanoTime();
            assertThat(store.unlock(key, "holder")).isEqualTo(LockStatus.SUCCESS);
            assertThat(TimeUnit.NANOSECONDS.toMillis(again.get(10, TimeUnit.SECONDS) - unlockedAt))
                    .as("woken by a notification on the new connection").isLessThan(500);
        }
    }

    /** Starts {@code awaitRelease} on another thread; completes with the {@link System#nanoTime()} of its return. */
    private static CompletableFuture<Long> waitInBackground(JdbcLockStore store, String key, Duration maxWait) {
        return CompletableFuture.supplyAsync(() -> {
            try {
                store.awaitRelease(key, maxWait);
                return System.nanoTime();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        });
    }
}
