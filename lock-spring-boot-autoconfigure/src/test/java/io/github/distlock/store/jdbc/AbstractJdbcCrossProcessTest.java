package io.github.distlock.store.jdbc;

import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import io.github.distlock.api.LockStatus;
import io.github.distlock.store.jdbc.JdbcTestStores.Db;
import io.github.distlock.testsupport.ChildJvm;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import static org.assertj.core.api.Assertions.assertThat;

/** Locks between processes through one database: two JVMs contending, and a holder killed with SIGKILL. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class AbstractJdbcCrossProcessTest {

    private JdbcLockStore store;

    protected abstract Db db();

    @BeforeAll
    void createStore() {
        store = JdbcTestStores.store(db().dataSource());
    }

    @AfterAll
    void closeStore() {
        if (store != null) {
            store.close();
        }
    }

    @Test
    void twoJvmsOfEightThreadsEachNeverHoldAKeyAtOnce() throws Exception {
        ChildJvm.ExclusionResult result = ChildJvm.runExclusion(JdbcChildStoreFactory.class,
                db().connectionString(), 2, 8, 400, Duration.ofSeconds(6), 1);
        assertThat(result.grants()).as("grants\n%s", result.output()).isGreaterThan(50);
        assertThat(result.counted()).as("counted increments: fewer means two holders overlapped\n%s",
                result.output()).isEqualTo(result.grants());
        assertThat(result.failedUnlocks()).as("unlocks of a held lock that failed").isZero();
    }

    @Test
    void aLockOfAHolderKilledWithSigkillIsFreeAfterItsLeaseAndNotBefore() throws Exception {
        String key = "killed-holder-" + UUID.randomUUID();
        int expire = 3;
        Process holder = ChildJvm.holdLock(JdbcChildStoreFactory.class, db().connectionString(), key, expire);
        ChildJvm.kill9(holder);
        // The lease left by the database's clock, and when that was read by ours: the lock must last until then.
        long readAt = System.nanoTime();
        long millisLeft = store.millisLeft(key);
        assertThat(millisLeft).as("lease left right after the kill").isBetween(500L, expire * 1000L);
        assertThat(store.tryLock(key, "survivor", 60)).as("still held right after the kill").isFalse();
        long leaseEnd = readAt + TimeUnit.MILLISECONDS.toNanos(millisLeft);
        long deadline = leaseEnd + TimeUnit.SECONDS.toNanos(5);
        long acquiredAt = 0;
        while (acquiredAt == 0 && System.nanoTime() < deadline) {
            if (store.tryLock(key, "survivor", 60)) {
                acquiredAt = System.nanoTime();
            } else {
                Thread.sleep(20);
            }
        }
        assertThat(acquiredAt).as("taken over after the holder died").isNotZero();
        // Not before the lease's end (less the time the read itself took to come back), and promptly after it.
        assertThat(Duration.ofNanos(acquiredAt - leaseEnd)).as("taken over relative to the lease's end")
                .isGreaterThan(Duration.ofMillis(-50)).isLessThan(Duration.ofMillis(500));
        assertThat(store.unlock(key, "survivor")).isEqualTo(LockStatus.SUCCESS);
    }
}
