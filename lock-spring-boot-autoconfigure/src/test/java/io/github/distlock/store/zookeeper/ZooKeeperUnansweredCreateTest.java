package io.github.distlock.store.zookeeper;

import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import io.github.distlock.api.LockStatus;
import io.github.distlock.api.LockStoreException;
import io.github.distlock.testsupport.PausableTcpProxy;
import io.github.distlock.testsupport.ZooKeeperTestServer;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.state.ConnectionState;
import org.apache.curator.framework.state.ConnectionStateListener;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * A TryLock whose create goes unanswered leaves a record of a node it may have made, removed once ZooKeeper is
 * reachable again. That record is only known by session, owner and version 0, so it also matches the node of the same
 * owner's next TryLock: if that TryLock succeeds after the reconnection but before the store handles RECONNECTED,
 * the cleanup must leave the live lock alone. A create carried out but answered with a connection loss leaves such a
 * record too. Real server, behind a relay that holds the create (or its answer) and then drops the connection (the
 * session survives).
 */
class ZooKeeperUnansweredCreateTest {

    private static final Duration SESSION_TIMEOUT = Duration.ofSeconds(8);
    private static final String ROOT = "/distlock-unanswered";

    @Test
    void theOwnersRetriedLockSurvivesTheCleanupOfItsUnansweredCreate() throws Exception {
        String key = "unanswered-" + UUID.randomUUID();
        String lostKey = "reported-lost-" + UUID.randomUUID();
        try (ZooKeeperTestServer server = ZooKeeperTestServer.start(SESSION_TIMEOUT.multipliedBy(2));
             PausableTcpProxy relay = relayTo(server.connectString());
             CuratorFramework observer = server.client(SESSION_TIMEOUT)) {
            CuratorFramework client = ZooKeeperTestServer.client(relay.connectString(), SESSION_TIMEOUT);
            try (ZooKeeperLockStore store = new ZooKeeperLockStore("zookeeper", client, true, ROOT,
                    Duration.ofMillis(300), ZooKeeperLockStore.DEFAULT_TAKEOVER_DELAY)) {
                // A lock held across the disconnection: reported lost on SUSPENDED, its node removed on RECONNECTED.
                assertThat(store.tryLock(lostKey, "lost-holder", 60)).isTrue();
                long session = client.getZookeeperClient().getZooKeeper().getSessionId();

                // Opens a window after the store handled SUSPENDED and before it handles RECONNECTED, whichever
                // order Curator calls the listeners in (the same order for every event).
                CountDownLatch windowOpen = new CountDownLatch(1);
                CountDownLatch retried = new CountDownLatch(1);
                AtomicBoolean storeFirst = new AtomicBoolean();
                ConnectionStateListener window = (c, state) -> {
                    boolean open = (state == ConnectionState.SUSPENDED && store.lostLockCount() > 0
                            && storeFirst.compareAndSet(false, true))
                            || (state == ConnectionState.RECONNECTED && !storeFirst.get());
                    if (open) {
                        windowOpen.countDown();
                        try {
                            retried.await(10, TimeUnit.SECONDS);
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                        }
                    }
                };
                client.getConnectionStateListenable().addListener(window);

                relay.pause();
                assertThatThrownBy(() -> store.tryLock(key, "owner", 60)).as("the create goes unanswered")
                        .isInstanceOf(LockStoreException.class);
                relay.dropConnections(); // the held create never reaches the server
                relay.resume();

                assertThat(windowOpen.await(10, TimeUnit.SECONDS)).as("reconnected").isTrue();
                try {
                    // Curator's listeners may still be held at SUSPENDED; the ZooKeeper handle reconnects meanwhile.
                    ZooKeeperLockStoreFaultTest.pollUntil(() -> client.getZookeeperClient().isConnected(),
                            Duration.ofSeconds(5));
                    assertThat(store.tryLock(key, "owner", 60)).as("the owner's retry").isTrue();
                    assertThat(client.getZookeeperClient().getZooKeeper().getSessionId())
                            .as("the same session, so the unanswered create's record matches the new node")
                            .isEqualTo(session);
                } finally {
                    retried.countDown();
                }
                // The store handles RECONNECTED: the lost lock's node goes, the retried lock's node must stay.
                ZooKeeperLockStoreFaultTest.pollUntil(() -> exists(observer, store.pathFor(lostKey)) == Boolean.FALSE,
                        Duration.ofSeconds(10));
                Thread.sleep(500); // the cleanup of the unanswered create runs in the same pass
                assertThat(exists(observer, store.pathFor(key))).as("the retried lock's node").isTrue();
                assertThat(store.unlock(key, "owner")).isEqualTo(LockStatus.SUCCESS);
            }
        }
    }

    @Test
    void aCreateAnsweredWithConnectionLossIsRemovedOnceReconnected() throws Exception {
        String key = "connection-lost-" + UUID.randomUUID();
        try (ZooKeeperTestServer server = ZooKeeperTestServer.start(SESSION_TIMEOUT.multipliedBy(2));
             PausableTcpProxy relay = relayTo(server.connectString());
             CuratorFramework observer = server.client(SESSION_TIMEOUT)) {
            CuratorFramework client = ZooKeeperTestServer.client(relay.connectString(), SESSION_TIMEOUT);
            try (ZooKeeperLockStore store = new ZooKeeperLockStore("zookeeper", client, true, ROOT,
                    Duration.ofSeconds(5), ZooKeeperLockStore.DEFAULT_TAKEOVER_DELAY)) {
                assertThat(store.tryLock("warm-up-" + key, "warm-up", 60)).isTrue(); // root and its ACL known
                long session = client.getZookeeperClient().getZooKeeper().getSessionId();
                relay.pauseReplies();
                CompletableFuture<Boolean> attempt = CompletableFuture.supplyAsync(() -> store.tryLock(key, "owner", 60));
                // The create is carried out; its answer is held, then lost with the connection.
                ZooKeeperLockStoreFaultTest.pollUntil(() -> exists(observer, store.pathFor(key)) == Boolean.TRUE,
                        Duration.ofSeconds(5));
                relay.dropConnections();
                relay.resumeReplies();
                assertThatThrownBy(() -> attempt.get(10, TimeUnit.SECONDS)).as("answered with connection loss")
                        .hasCauseInstanceOf(LockStoreException.class);
                // Not left to its 60 s lease: removed once the same session is reachable again.
                ZooKeeperLockStoreFaultTest.pollUntil(() -> exists(observer, store.pathFor(key)) == Boolean.FALSE,
                        Duration.ofSeconds(10));
                assertThat(client.getZookeeperClient().getZooKeeper().getSessionId()).as("the same session")
                        .isEqualTo(session);
            }
        }
    }

    private static PausableTcpProxy relayTo(String connectString) throws Exception {
        int colon = connectString.lastIndexOf(':');
        return new PausableTcpProxy(connectString.substring(0, colon),
                Integer.parseInt(connectString.substring(colon + 1)));
    }

    private static Boolean exists(CuratorFramework client, String path) {
        try {
            return client.checkExists().forPath(path) != null;
        } catch (Exception e) {
            return null;
        }
    }
}
