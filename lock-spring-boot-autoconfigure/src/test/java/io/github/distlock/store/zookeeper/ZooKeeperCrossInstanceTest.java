package io.github.distlock.store.zookeeper;

import java.time.Duration;
import java.util.UUID;

import io.github.distlock.api.LockStatus;
import io.github.distlock.testsupport.ZooKeeperTestServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import static io.github.distlock.store.zookeeper.ZooKeeperLockStoreFaultTest.SESSION_TIMEOUT;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Two instances of an application (two stores, two ZooKeeper sessions) on one real server: a lock taken through one
 * instance is renewed or released through the other, and the instance that took it follows the node, not its own
 * record of it.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ZooKeeperCrossInstanceTest {

    private ZooKeeperTestServer server;

    @BeforeAll
    void startServer() {
        server = ZooKeeperTestServer.start();
    }

    @AfterAll
    void stopServer() throws Exception {
        server.close();
    }

    @Test
    void aLockRenewedThroughAnotherInstanceOutlivesTheTakersLeaseAndIsReleasedThroughTheTaker() throws Exception {
        String key = "renewed-elsewhere-" + UUID.randomUUID();
        try (ZooKeeperLockStore taker = newStore(); ZooKeeperLockStore renewer = newStore()) {
            long start = System.nanoTime();
            assertThat(taker.tryLock(key, "owner", 1)).isTrue();
            assertThat(renewer.keepAlive(key, "owner", 60)).isEqualTo(LockStatus.SUCCESS);
            // The taker's own lease (1 s) and its timer's cleanup window are over; the renewed node must live on.
            Thread.sleep(Math.max(0, Duration.ofMillis(1600).minusNanos(System.nanoTime() - start).toMillis()));
            assertThat(taker.heldLockCount()).as("the taker's record ended with its lease").isZero();
            assertThat(taker.tryLock(key, "other", 60)).as("the renewed lock is still held").isFalse();
            assertThat(taker.keepAlive(key, "owner", 60)).as("renewed through the taker, by the node")
                    .isEqualTo(LockStatus.SUCCESS);
            assertThat(renewer.keepAlive(key, "owner", 60)).isEqualTo(LockStatus.SUCCESS);
            assertThat(taker.unlock(key, "owner")).as("released through the taker, by the node")
                    .isEqualTo(LockStatus.SUCCESS);
            // The renewer still has a live record of the lock; the node is gone, so it must not refuse locally.
            assertThat(renewer.tryLock(key, "next", 60)).isTrue();
            assertThat(renewer.unlock(key, "next")).isEqualTo(LockStatus.SUCCESS);
        }
    }

    @Test
    void aLockReleasedThroughAnotherInstanceIsFreeAtOnceInTheInstanceThatTookIt() {
        String key = "released-elsewhere-" + UUID.randomUUID();
        try (ZooKeeperLockStore taker = newStore(); ZooKeeperLockStore releaser = newStore()) {
            assertThat(taker.tryLock(key, "owner", 60)).isTrue();
            assertThat(releaser.unlock(key, "owner")).isEqualTo(LockStatus.SUCCESS);
            assertThat(taker.tryLock(key, "next", 60)).as("free, though the taker's record of 'owner' is live")
                    .isTrue();
            assertThat(taker.unlock(key, "owner")).isEqualTo(LockStatus.LOCK_BELONG_TO_OTHERS);
            assertThat(taker.keepAlive(key, "owner", 60)).isEqualTo(LockStatus.LOCK_BELONG_TO_OTHERS);
            assertThat(releaser.tryLock(key, "third", 60)).isFalse();
            assertThat(taker.unlock(key, "next")).isEqualTo(LockStatus.SUCCESS);
        }
    }

    private ZooKeeperLockStore newStore() {
        return ZooKeeperLockStoreFaultTest.newStore(server.client(SESSION_TIMEOUT));
    }
}
