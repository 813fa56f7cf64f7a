package io.github.distlock.store.etcd;

import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import io.github.distlock.api.LockStatus;
import io.github.distlock.testsupport.ChildJvm;
import io.github.distlock.testsupport.EtcdTestServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import static org.assertj.core.api.Assertions.assertThat;

/** Locks between processes through etcd: a holder killed with SIGKILL, and exclusion between two JVMs. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class EtcdCrossProcessTest {

    private String endpoint;
    private EtcdLockStore store;

    @BeforeAll
    void connect() {
        endpoint = EtcdTestServer.shared().endpoint();
        store = EtcdTestStores.store(endpoint);
    }

    @AfterAll
    void close() {
        if (store != null) {
            store.close();
        }
    }

    @Test
    void aLockOfAHolderKilledWithSigkillIsFreeAfterItsExpire() throws Exception {
        String key = "killed-holder-" + UUID.randomUUID();
        int expire = 3;
        long requested = System.nanoTime();
        Process holder = ChildJvm.holdLock(EtcdChildStoreFactory.class, endpoint, key, expire);
        long locked = System.nanoTime(); // the lease started between requested and locked
        ChildJvm.kill9(holder);
        assertThat(store.tryLock(key, "survivor", 60)).as("still held right after the kill").isFalse();
        long deadline = locked + TimeUnit.SECONDS.toNanos(expire + 5);
        long acquiredAt = 0;
        while (acquiredAt == 0 && System.nanoTime() < deadline) {
            if (store.tryLock(key, "survivor", 60)) {
                acquiredAt = System.nanoTime();
            } else {
                Thread.sleep(50);
            }
        }
        assertThat(acquiredAt).as("taken over after the holder died").isNotZero();
        assertThat(Duration.ofNanos(acquiredAt - locked)).isLessThanOrEqualTo(Duration.ofSeconds(expire + 1));
        assertThat(Duration.ofNanos(acquiredAt - requested))
                .isGreaterThanOrEqualTo(Duration.ofSeconds(expire).minusMillis(50));
        assertThat(store.unlock(key, "survivor")).isEqualTo(LockStatus.SUCCESS);
    }

    @Test
    void twoJvmsOfEightThreadsEachNeverHoldAKeyAtOnce() throws Exception {
        ChildJvm.ExclusionResult result = ChildJvm.runExclusion(EtcdChildStoreFactory.class, endpoint, 2, 8, 150,
                Duration.ofSeconds(15), 3);
        assertThat(result.grants()).as("grants\n%s", result.output()).isGreaterThan(50);
        assertThat(result.counted()).as("counted increments: fewer means two holders overlapped\n%s",
                result.output()).isEqualTo(result.grants());
        assertThat(result.failedUnlocks()).as("unlocks of a held lock that failed").isZero();
    }
}
