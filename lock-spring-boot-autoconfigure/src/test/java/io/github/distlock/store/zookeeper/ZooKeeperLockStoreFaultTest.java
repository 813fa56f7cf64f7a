package io.github.distlock.store.zookeeper;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.UUID;

import io.github.distlock.api.LockStatus;
import io.github.distlock.api.LockStoreException;
import io.github.distlock.spi.LockStore;
import io.github.distlock.testsupport.ChildJvm;
import io.github.distlock.testsupport.ZooKeeperTestServer;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.test.TestingServer;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.ZooDefs;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Faults against a real server: dead holders, live holders past their lease, a server restart, two processes. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ZooKeeperLockStoreFaultTest {

    /** Sessions in these tests; the test server grants at most 20 ticks (2 s). */
    static final Duration SESSION_TIMEOUT = Duration.ofSeconds(2);
    static final Duration OPERATION_TIMEOUT = Duration.ofSeconds(1);
    static final Duration CHILD_OPERATION_TIMEOUT = Duration.ofSeconds(5);
    static final String ROOT = "/distlock-faults";

    private ZooKeeperTestServer server;

    /** Builds a store in a child JVM, from the connect string. */
    public static class ChildStoreFactory implements ChildJvm.StoreFactory {
        @Override
        public LockStore create(String connectString) {
            // Children share two loaded cores with the server's JVM: an answer may take over a second there.
            return new ZooKeeperLockStore("zookeeper", ZooKeeperTestServer.client(connectString, SESSION_TIMEOUT),
                    true, ROOT, CHILD_OPERATION_TIMEOUT, ZooKeeperLockStore.DEFAULT_TAKEOVER_DELAY);
        }
    }

    static ZooKeeperLockStore newStore(CuratorFramework client) {
        return new ZooKeeperLockStore("zookeeper", client, true, ROOT, OPERATION_TIMEOUT,
                ZooKeeperLockStore.DEFAULT_TAKEOVER_DELAY);
    }

    @BeforeAll
    void startServer() {
        server = ZooKeeperTestServer.start();
    }

    @AfterAll
    void stopServer() throws Exception {
        server.close();
    }

    private static String key(String name) {
        return "fault-" + name + "-" + UUID.randomUUID();
    }

    @Test
    void aHolderKilledWithSigkillLosesItsLockWithinTheSessionTimeout() throws Exception {
        String key = key("kill9");
        Process holder = ChildJvm.holdLock(ChildStoreFactory.class, server.connectString(), key, 60);
        try (ZooKeeperLockStore store = newStore(server.client(SESSION_TIMEOUT))) {
            assertThat(store.tryLock(key, "contender", 60)).as("held by the child").isFalse();
            long killed = System.nanoTime();
            ChildJvm.kill9(holder);
            long acquired = pollUntilAcquired(store, key, "contender", SESSION_TIMEOUT.plusSeconds(5));
            assertThat(Duration.ofNanos(acquired - killed)).as("released by the end of the dead holder's session")
                    .isLessThanOrEqualTo(SESSION_TIMEOUT.plusSeconds(1));
        } finally {
            holder.destroyForcibly();
        }
    }

    @Test
    void aLiveHolderPastItsLeaseLosesTheLockToAnotherSession() throws Exception {
        String key = key("overrun");
        String holder = "holder";
        try (ZooKeeperLockStore holding = newStore(server.client(SESSION_TIMEOUT));
             ZooKeeperLockStore contending = newStore(server.client(SESSION_TIMEOUT))) {
            long start = System.nanoTime();
            assertThat(holding.tryLock(key, holder, 2)).isTrue();
            long acquired = pollUntilAcquired(contending, key, "next", Duration.ofSeconds(5));
            assertThat(Duration.ofNanos(acquired - start)).isGreaterThanOrEqualTo(Duration.ofMillis(1950))
                    .isLessThanOrEqualTo(Duration.ofSeconds(3));
            // The overrunning holder, still running, can neither release nor extend the new owner's lock.
            assertThat(holding.unlock(key, holder)).isEqualTo(LockStatus.LOCK_BELONG_TO_OTHERS);
            assertThat(holding.keepAlive(key, holder, 60)).isEqualTo(LockStatus.LOCK_BELONG_TO_OTHERS);
            assertThat(holding.tryLock(key, holder, 60)).isFalse();
            assertThat(contending.unlock(key, "next")).isEqualTo(LockStatus.SUCCESS);
        }
    }

    @Test
    void aNodeItsHolderLeftPastTheLeaseIsTakenOverByTheEnsemblesClock() throws Exception {
        String key = key("abandoned");
        try (CuratorFramework ghost = server.client(SESSION_TIMEOUT);
             ZooKeeperLockStore store = newStore(server.client(SESSION_TIMEOUT))) {
            assertThat(store.tryLock(key("root"), "first", 1)).isTrue(); // creates the root
            // A holder whose session lives on but which never removes its node (cut off, or its timer stuck).
            ghost.create().withMode(CreateMode.EPHEMERAL).withACL(ZooDefs.Ids.OPEN_ACL_UNSAFE)
                    .forPath(store.pathFor(key), "1000\nghost".getBytes(StandardCharsets.UTF_8));
            assertThat(store.unlock(key, "ghost")).as("another session's live lease is honoured")
                    .isEqualTo(LockStatus.SUCCESS);
            ghost.create().withMode(CreateMode.EPHEMERAL).forPath(store.pathFor(key),
                    "1000\nghost".getBytes(StandardCharsets.UTF_8));
            long start = System.nanoTime();
            long acquired = pollUntilAcquired(store, key, "next", Duration.ofSeconds(5));
            Duration after = Duration.ofNanos(acquired - start);
            assertThat(after).as("not before lease + takeover delay, and within a second of the lease")
                    .isGreaterThanOrEqualTo(Duration.ofMillis(1000).plus(ZooKeeperLockStore.DEFAULT_TAKEOVER_DELAY)
                            .minusMillis(100))
                    .isLessThanOrEqualTo(Duration.ofSeconds(2));
            assertThat(store.unlock(key, "ghost")).isEqualTo(LockStatus.LOCK_BELONG_TO_OTHERS);
            assertThat(store.unlock(key, "next")).isEqualTo(LockStatus.SUCCESS);
        }
    }

    @Test
    void aServerRestartReportsHeldLocksLostFailsFastMeanwhileAndLocksAgainAfterwards() throws Exception {
        TestingServer testingServer = server.controllable();
        String key = key("restart");
        try (ZooKeeperLockStore store = newStore(server.client(SESSION_TIMEOUT))) {
            assertThat(store.tryLock(key, "before", 60)).isTrue();
            testingServer.stop();
            try {
                pollUntil(() -> store.lostLockCount() == 1, Duration.ofSeconds(5));
                long start = System.nanoTime();
                assertThatThrownBy(() -> store.tryLock(key("during"), "during", 60))
                        .isInstanceOf(LockStoreException.class).hasMessageContaining("not connected");
                assertThat(Duration.ofNanos(System.nanoTime() - start)).as("bounded by the operation timeout")
                        .isLessThanOrEqualTo(OPERATION_TIMEOUT.plusMillis(500));
            } finally {
                testingServer.restart();
            }
            // The lost lock is released (by the surviving session, or by the session's end), then taken again.
            long acquired = pollUntilAcquired(store, key, "after", Duration.ofSeconds(15));
            assertThat(acquired).isPositive();
            assertThat(store.unlock(key, "before")).isEqualTo(LockStatus.LOCK_BELONG_TO_OTHERS);
            assertThat(store.unlock(key, "after")).isEqualTo(LockStatus.SUCCESS);
            assertThat(store.lostLockCount()).isEqualTo(1);
        }
    }

    @Test
    void twoProcessesOfEightThreadsNeverHoldAKeyAtOnce() throws Exception {
        ChildJvm.ExclusionResult result = ChildJvm.runExclusion(ChildStoreFactory.class, server.connectString(), 2,
                8, 150, Duration.ofSeconds(8), 3);
        assertThat(result.grants()).as("grants\n%s", result.output()).isGreaterThan(50);
        assertThat(result.counted()).as("counted increments (lost ones mean overlapping holders)")
                .isEqualTo(result.grants());
        assertThat(result.failedUnlocks()).isZero();
    }

    static long pollUntilAcquired(LockStore store, String key, String owner, Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            try {
                if (store.tryLock(key, owner, 60)) {
                    return System.nanoTime();
                }
            } catch (LockStoreException e) {
                // still reconnecting
            }
            Thread.sleep(50);
        }
        throw new AssertionError("'" + key + "' was not acquired within " + timeout);
    }

    static void pollUntil(java.util.function.BooleanSupplier condition, Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("condition not met within " + timeout);
            }
            Thread.sleep(20);
        }
    }
}
