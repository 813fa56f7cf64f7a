package io.github.distlock.store.jdbc;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import io.github.distlock.api.LockStatus;
import io.github.distlock.spi.FencedLockStore;
import io.github.distlock.store.jdbc.JdbcTestStores.Db;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import org.springframework.dao.DataAccessException;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * What the JDBC store adds to the contract, on each database: fencing tokens kept in the row, one row per key,
 * exactly one winner among contenders, leases by the database's clock whatever the sessions' time zones, and long
 * keys and owners.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class JdbcLockStoreTest {

    private final Map<Db, JdbcLockStore> stores = new EnumMap<>(Db.class);

    private JdbcLockStore store(Db db) {
        return stores.computeIfAbsent(db, d -> JdbcTestStores.store(d.dataSource()));
    }

    @AfterAll
    void closeStores() {
        stores.values().forEach(JdbcLockStore::close);
    }

    private static String key(String name) {
        return "jdbc-" + name + "-" + UUID.randomUUID();
    }

    private static long rows(Db db, String key) {
        return JdbcTestStores.queryLong(db.dataSource(), "SELECT COUNT(*) FROM " + JdbcTestStores.TABLE
                + " WHERE lock_key = ?", ColumnBytes.of(key));
    }

    @ParameterizedTest
    @EnumSource(Db.class)
    void fencingTokensGrowByOneWithEveryGrantAndSurviveUnlockAndExpiry(Db db) throws Exception {
        JdbcLockStore store = store(db);
        String key = key("fencing");
        String first = "first";
        assertThat(store.tryLockFenced(key, first, 1)).as("a key's first grant").isEqualTo(1);
        assertThat(store.tryLockFenced(key, "refused", 60)).isEqualTo(FencedLockStore.NOT_ACQUIRED);
        assertThat(store.unlock(key, first)).isEqualTo(LockStatus.SUCCESS);
        assertThat(store.tryLockFenced(key, "second", 1)).as("after an unlock").isEqualTo(2);
        Thread.sleep(1100);
        assertThat(store.tryLockFenced(key, "third", 60)).as("after the lease expired").isEqualTo(3);
        assertThat(store.unlock(key, "second")).isEqualTo(LockStatus.LOCK_BELONG_TO_OTHERS);
        assertThat(store.keepAlive(key, "third", 60)).isEqualTo(LockStatus.SUCCESS);
        assertThat(store.unlock(key, "third")).isEqualTo(LockStatus.SUCCESS);
        assertThat(store.tryLockFenced(key("other"), first, 60)).as("another key counts on its own").isEqualTo(1);
        assertThat(rows(db, key)).as("rows of the key").isEqualTo(1);
    }

    @ParameterizedTest
    @EnumSource(Db.class)
    void theTableKeepsOneRowPerKeyEverUsed(Db db) {
        JdbcLockStore store = store(db);
        List<String> keys = List.of(key("growth-0"), key("growth-1"), key("growth-2"));
        for (int cycle = 0; cycle < 20; cycle++) {
            for (String key : keys) {
                String owner = UUID.randomUUID().toString();
                assertThat(store.tryLock(key, owner, 60)).isTrue();
                assertThat(store.unlock(key, owner)).isEqualTo(LockStatus.SUCCESS);
            }
        }
        for (String key : keys) {
            assertThat(rows(db, key)).as("rows of %s after 20 lock/unlock cycles", key).isEqualTo(1);
            assertThat(store.tryLockFenced(key, "last", 60)).as("grants so far + 1").isEqualTo(21);
        }
    }

    /**
     * Eight threads at once on a new key, then on a released one (several times), then on an expired one: one
     * winner each time, with the next token.
     */
    @ParameterizedTest
    @EnumSource(Db.class)
    void contendersForOneKeyGetExactlyOneGrantWithTheNextToken(Db db) throws Exception {
        assertOneGrantPerRound(store(db), List.of("new", "released", "released", "released", "expired", "released"));
    }

    /**
     * At REPEATABLE READ (MariaDB's default; not PostgreSQL's), contended TryLocks on PostgreSQL fail with
     * serialization errors, which the store retries: still exactly one grant per round, and no error.
     */
    @ParameterizedTest
    @EnumSource(value = Db.class, names = {"POSTGRES", "MARIADB"})
    void atRepeatableReadContendersStillGetExactlyOneGrantAndNoError(Db db) throws Exception {
        try (JdbcLockStore store = JdbcTestStores.store(db.dataSource("repeatable-read",
                config -> config.setTransactionIsolation("TRANSACTION_REPEATABLE_READ")))) {
            List<String> rounds = new ArrayList<>(List.of("new"));
            rounds.addAll(java.util.Collections.nCopies(30, "released"));
            assertOneGrantPerRound(store, rounds);
        }
    }

    /** Runs the rounds: 8 threads at once each time; the winner unlocks when the next round is "released". */
    private static void assertOneGrantPerRound(JdbcLockStore store, List<String> rounds) throws Exception {
        String key = key("contended");
        int threads = 8;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            long previousToken = 0;
            for (int r = 0; r < rounds.size(); r++) {
                String round = rounds.get(r);
                if (round.equals("expired")) {
                    Thread.sleep(1050); // the last winner, who did not unlock, sees its 1 s lease run out
                }
                CyclicBarrier start = new CyclicBarrier(threads);
                List<Future<Grant>> attempts = new ArrayList<>();
                for (int t = 0; t < threads; t++) {
                    attempts.add(pool.submit(() -> {
                        String owner = UUID.randomUUID().toString();
                        start.await(10, TimeUnit.SECONDS);
                        return new Grant(owner, store.tryLockFenced(key, owner, 1));
                    }));
                }
                List<Grant> grants = new ArrayList<>();
                for (Future<Grant> attempt : attempts) {
                    Grant grant = attempt.get(30, TimeUnit.SECONDS);
                    if (grant.token() != FencedLockStore.NOT_ACQUIRED) {
                        grants.add(grant);
                    }
                }
                assertThat(grants).as("grants on a %s key, round %s", round, r).hasSize(1);
                assertThat(grants.get(0).token()).as("token on a %s key", round).isEqualTo(previousToken + 1);
                previousToken = grants.get(0).token();
                if (r + 1 == rounds.size() || rounds.get(r + 1).equals("released")) {
                    assertThat(store.unlock(key, grants.get(0).owner())).isEqualTo(LockStatus.SUCCESS);
                }
            }
        } finally {
            pool.shutdownNow();
        }
    }

    private record Grant(String owner, long token) {
    }

    /**
     * Leases are measured by the database server's clock in absolute time: sessions in time zones 24 hours apart
     * (MariaDB accepts offsets from -12:59 to +13:00) see the same lease, and it ends when it should.
     */
    @ParameterizedTest
    @EnumSource(Db.class)
    void sessionsInDistantTimeZonesAgreeOnTheLease(Db db) throws Exception {
        JdbcLockStore east = JdbcTestStores.store(db.dataSource("utc+13",
                config -> config.setConnectionInitSql(db.setTimeZone("+13:00"))));
        JdbcLockStore west = JdbcTestStores.store(db.dataSource("utc-11",
                config -> config.setConnectionInitSql(db.setTimeZone("-11:00"))));
        try {
            String key = key("time-zones");
            long start = System.nanoTime();
            assertThat(east.tryLock(key, "east", 2)).isTrue();
            assertThat(west.tryLock(key, "west", 60)).as("held, seen from 24 hours west").isFalse();
            assertThat(west.keepAlive(key, "east", 2)).isEqualTo(LockStatus.SUCCESS);
            long deadline = start + TimeUnit.SECONDS.toNanos(4);
            while (!west.tryLock(key, "west", 60) && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            Duration heldFor = Duration.ofNanos(System.nanoTime() - start);
            assertThat(heldFor).as("taken over after the 2 s lease")
                    .isGreaterThanOrEqualTo(Duration.ofMillis(1950)).isLessThan(Duration.ofMillis(3000));
            assertThat(east.unlock(key, "east")).isEqualTo(LockStatus.LOCK_BELONG_TO_OTHERS);
            assertThat(east.unlock(key, "west")).isEqualTo(LockStatus.SUCCESS);
        } finally {
            east.close();
            west.close();
        }
    }

    /** A row locked by someone else's open transaction: the lock statement gives up after operation-timeout. */
    @ParameterizedTest
    @EnumSource(Db.class)
    void aStatementStuckBehindARowLockFailsAfterTheOperationTimeout(Db db) throws Exception {
        String key = key("row-locked");
        assertThat(store(db).tryLock(key, "holder", 60)).isTrue();
        try (JdbcLockStore impatient = JdbcTestStores.store(db.dataSource(),
                properties -> properties.setOperationTimeout(Duration.ofSeconds(1)));
                Connection blocker = db.dataSource().getConnection()) {
            blocker.setAutoCommit(false);
            try (PreparedStatement select = blocker.prepareStatement("SELECT lock_owner FROM "
                    + JdbcTestStores.TABLE + " WHERE lock_key = ? FOR UPDATE")) {
                select.setBytes(1, ColumnBytes.of(key));
                select.executeQuery().close();
            }
            try {
                long start = System.nanoTime();
                assertThatThrownBy(() -> impatient.unlock(key, "holder")).isInstanceOf(DataAccessException.class);
                assertThat(Duration.ofNanos(System.nanoTime() - start)).as("time to give up")
                        .isLessThan(Duration.ofMillis(2500));
            } finally {
                blocker.rollback();
            }
            // The timed-out Unlock may still take effect once the row is free: the server can finish a statement
            // whose client gave up (MariaDB does, after a network timeout). Either way the holder's lock is gone.
            assertThat(impatient.unlock(key, "holder")).as("once the row is free")
                    .isIn(LockStatus.SUCCESS, LockStatus.LOCK_UNEXIST);
            assertThat(impatient.tryLock(key, "next", 60)).as("the key is free again").isTrue();
            assertThat(impatient.unlock(key, "next")).isEqualTo(LockStatus.SUCCESS);
        }
    }

    @ParameterizedTest
    @EnumSource(Db.class)
    void longKeysAndOwnersThatDifferOnlyAtTheEndStayDistinct(Db db) {
        JdbcLockStore store = store(db);
        String common = key("long") + "-" + "x".repeat(400);
        String ownerA = "owner-" + "o".repeat(400) + "-a";
        String ownerB = "owner-" + "o".repeat(400) + "-b";
        assertThat(store.tryLock(common + "-1", ownerA, 60)).isTrue();
        assertThat(store.tryLock(common + "-2", ownerA, 60)).as("another long key").isTrue();
        assertThat(store.unlock(common + "-1", ownerB)).isEqualTo(LockStatus.LOCK_BELONG_TO_OTHERS);
        assertThat(store.keepAlive(common + "-1", ownerB, 60)).isEqualTo(LockStatus.LOCK_BELONG_TO_OTHERS);
        assertThat(store.unlock(common + "-1", ownerA)).isEqualTo(LockStatus.SUCCESS);
        assertThat(store.unlock(common + "-2", ownerA)).isEqualTo(LockStatus.SUCCESS);
        assertThat(ColumnBytes.of(common + "-1")).hasSize(ColumnBytes.COLUMN_LENGTH);
    }

    @ParameterizedTest
    @EnumSource(Db.class)
    void keysDifferingOnlyInCaseOrTrailingSpacesAreDifferentLocks(Db db) {
        JdbcLockStore store = store(db);
        String key = key("Case");
        assertThat(store.tryLock(key, "a", 60)).isTrue();
        assertThat(store.tryLock(key.toUpperCase(), "b", 60)).as("upper case").isTrue();
        assertThat(store.tryLock(key + " ", "c", 60)).as("trailing space").isTrue();
        assertThat(store.unlock(key, "A")).as("owner in another case").isEqualTo(LockStatus.LOCK_BELONG_TO_OTHERS);
        assertThat(store.unlock(key, "a ")).as("owner with a trailing space")
                .isEqualTo(LockStatus.LOCK_BELONG_TO_OTHERS);
        assertThat(store.unlock(key, "a")).isEqualTo(LockStatus.SUCCESS);
    }
}
