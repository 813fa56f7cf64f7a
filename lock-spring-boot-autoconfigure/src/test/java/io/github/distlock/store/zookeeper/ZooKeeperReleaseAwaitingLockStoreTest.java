package io.github.distlock.store.zookeeper;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import io.github.distlock.api.LockStatus;
import io.github.distlock.spi.LockStore;
import io.github.distlock.spi.ReleaseAwaitingLockStore;
import io.github.distlock.testsupport.ZooKeeperTestServer;
import io.github.distlock.waiting.AbstractReleaseSignalTest;
import io.github.distlock.waiting.ReleaseWaiters;
import io.github.distlock.waiting.WaitingContender;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.test.TestingServer;
import org.apache.curator.test.WatchersDebug;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.ZooKeeper;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The release-awaiting capability on a real ZooKeeper: a data watch on the waited node. Losing the signal is the
 * expiry of the waiting store's session (Curator then opens a new one); registrations are the client's data watches.
 * A restart of the server is survived too.
 */
class ZooKeeperReleaseAwaitingLockStoreTest extends AbstractReleaseSignalTest {

    private static final String ROOT = "/distlock-signal";

    private ZooKeeperTestServer server;
    private CuratorFramework storeClient;
    private CuratorFramework holderClient;

    @Override
    protected ReleaseAwaitingLockStore createStore() {
        server = ZooKeeperTestServer.start();
        storeClient = server.client(Duration.ofSeconds(5));
        return newStore(storeClient);
    }

    @Override
    protected LockStore createPeerStore() {
        holderClient = server.client(Duration.ofSeconds(5));
        return newStore(holderClient);
    }

    private static ZooKeeperLockStore newStore(CuratorFramework client) {
        return new ZooKeeperLockStore("zookeeper", client, true, ROOT, Duration.ofSeconds(5),
                ZooKeeperLockStore.DEFAULT_TAKEOVER_DELAY);
    }

    @Override
    protected ReleaseWaiters waiters() {
        return zooKeeperStore().releaseWatches();
    }

    @Override
    protected void loseSignal() throws Exception {
        ZooKeeper expired = storeClient.getZookeeperClient().getZooKeeper();
        expired.getTestable().injectSessionExpiration();
    }

    @Override
    protected void assertServerRegistrations(String key, boolean watching) throws Exception {
        String path = zooKeeperStore().pathFor(key);
        pollUntil(() -> dataWatches().contains(path) == watching, Duration.ofSeconds(5),
                (watching ? "a" : "no") + " data watch on " + path + " in the waiting store's client");
    }

    @AfterAll
    void stopServer() throws Exception {
        server.close();
    }

    @Test
    void aWaiterOfANodeItsHolderLeftAcquiresWhenATakeoverIsAllowed() throws Exception {
        // A holder cut off from ZooKeeper neither deletes its node nor loses it: contenders take it over once its
        // lease plus the takeover delay has passed by the ensemble's clock, and waiters wake then.
        String key = uniqueKey("left-behind");
        long leaseMillis = TimeUnit.SECONDS.toMillis(SHORT_EXPIRE);
        long created = System.nanoTime();
        holderClient.create().creatingParentsIfNeeded().withMode(CreateMode.PERSISTENT)
                .forPath(zooKeeperStore().pathFor(key), LockNodeCodec.nodeData(leaseMillis, "cut-off-holder"));
        assertAcquiredWithoutPollingAt(key, created,
                Duration.ofMillis(leaseMillis).plus(ZooKeeperLockStore.DEFAULT_TAKEOVER_DELAY));
    }

    /**
     * A restart of the server (an in-process one of the test's own, whose data directory persists) within the
     * sessions' timeout: the holder's session survives, but its lock was reported lost on the disconnection and its
     * node is deleted on the reconnection; the waiter's watch, lost on the disconnection, is set again on the
     * reconnection, so the waiter acquires soon after the server is back, long before the holder's lease ends.
     */
    @Test
    void aWaiterAcquiresAfterTheServerRestartsWhileItWaits() throws Exception {
        Duration sessionTimeout = Duration.ofSeconds(10);
        Duration waitTime = Duration.ofSeconds(20);
        try (ZooKeeperTestServer restarted = ZooKeeperTestServer.start(sessionTimeout);
                ZooKeeperLockStore holder = newStore(restarted.client(sessionTimeout));
                ZooKeeperLockStore waiting = newStore(restarted.client(sessionTimeout))) {
            TestingServer testingServer = restarted.controllable();
            String key = uniqueKey("restart");
            String holderOwner = newOwner();
            assertThat(holder.tryLock(key, holderOwner, LONG_EXPIRE)).isTrue();
            ReleaseWaiters waiters = waiting.releaseWatches();
            WaitingContender contender = WaitingContender.start(waiting, key, waitTime);
            pollUntil(() -> waiters.waiterCount() == 1 && waiters.watchCount() == 1, Duration.ofSeconds(5),
                    "one waiter, watching");

            contender.assertGrantedAcrossRestart(testingServer::stop, testingServer::restart);
            assertThat(holder.lostLockCount()).as("the holder's lock, reported lost on the disconnection")
                    .isEqualTo(1);
            assertThat(holder.unlock(key, holderOwner)).isEqualTo(LockStatus.LOCK_BELONG_TO_OTHERS);
            assertThat(waiting.unlock(key, contender.owner())).isEqualTo(LockStatus.SUCCESS);

            // The watches work again: the next waiter sets one and is woken by it.
            WaitingContender.assertWokenByAnUnlockWithoutPolling(waiting, waiters, holder, uniqueKey("restart-next"));
        }
    }

    private ZooKeeperLockStore zooKeeperStore() {
        return (ZooKeeperLockStore) store();
    }

    private List<String> dataWatches() {
        try {
            return WatchersDebug.getDataWatches(storeClient.getZookeeperClient().getZooKeeper());
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
