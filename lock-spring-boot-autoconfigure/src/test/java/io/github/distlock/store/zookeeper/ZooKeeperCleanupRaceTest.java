package io.github.distlock.store.zookeeper;

import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import io.github.distlock.api.LockStatus;
import io.github.distlock.testsupport.ZooKeeperTestServer;
import org.apache.curator.framework.state.ConnectionState;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A lock reported lost is cleaned up on reconnection while its owner unlocks it through the same store and a
 * contender (another session) takes the key at once. Both of the store's deletes are decided on the owner's node at
 * version 0; the contender's new node is at version 0 too. Were both sent, the later one would delete the
 * contender's node and leave its holder, still inside, with a lock anyone can take. The store lets one write per
 * node path be in flight ({@link PathClaims}), so the contender always keeps its lock.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ZooKeeperCleanupRaceTest {

    private static final int ROUNDS = 150;

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
    void aCleanupRacingItsOwnersUnlockNeverDeletesAContendersNewNode() throws Exception {
        List<String> lostByContender = new ArrayList<>();
        int contended = 0;
        try (ZooKeeperLockStore store = ZooKeeperLockStoreFaultTest.newStore(
                server.client(ZooKeeperLockStoreFaultTest.SESSION_TIMEOUT));
             ZooKeeperLockStore contender = ZooKeeperLockStoreFaultTest.newStore(
                     server.client(ZooKeeperLockStoreFaultTest.SESSION_TIMEOUT))) {
            store.tryLock("warm-up-" + UUID.randomUUID(), "warm-up", 30);
            for (int round = 0; round < ROUNDS; round++) {
                String key = "cleanup-race-" + UUID.randomUUID();
                String owner = "owner-" + round;
                String next = "contender-" + round;
                assertThat(store.tryLock(key, owner, 30)).isTrue();
                // As on a disconnection that the session survives: the lock is reported lost, its node kept for removal.
                store.connectionWatch().stateChanged(null, ConnectionState.SUSPENDED);
                CompletableFuture<Boolean> taken = CompletableFuture.supplyAsync(() -> {
                    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(500);
                    while (System.nanoTime() < deadline) {
                        if (contender.tryLock(key, next, 30)) {
                            return true;
                        }
                    }
                    return false;
                });
                store.connectionWatch().stateChanged(null, ConnectionState.RECONNECTED); // the cleanup starts
                store.unlock(key, owner); // the owner unlocks meanwhile, through the same store
                if (taken.get(10, TimeUnit.SECONDS)) {
                    contended++;
                    LockStatus status = contender.unlock(key, next);
                    if (status != LockStatus.SUCCESS) {
                        lostByContender.add("round " + round + ": " + status);
                    }
                }
            }
        }
        assertThat(contended).as("rounds in which the contender got the key").isPositive();
        assertThat(lostByContender).as("contenders whose node the other store deleted (of %d)", contended).isEmpty();
    }
}
