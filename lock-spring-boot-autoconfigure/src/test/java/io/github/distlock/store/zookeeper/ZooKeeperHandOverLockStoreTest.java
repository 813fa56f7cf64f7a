package io.github.distlock.store.zookeeper;

import java.time.Duration;

import io.github.distlock.api.LockStatus;
import io.github.distlock.spi.FencedLockStore;
import io.github.distlock.spi.HandOverLockStore;
import io.github.distlock.testsupport.AbstractHandOverLockStoreTest;
import io.github.distlock.testsupport.ZooKeeperTestServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The hand-over on a real ZooKeeper: one multi (delete the holder's node, create the next owner's). Besides the
 * contract, the two cases where this store's record of the holder's node cannot decide and the node is read: the
 * lock was taken through another instance, and it was renewed through another instance since.
 */
class ZooKeeperHandOverLockStoreTest extends AbstractHandOverLockStoreTest {

    private static final String ROOT = "/distlock-handover";

    private ZooKeeperTestServer server;
    private ZooKeeperLockStore peer;

    @Override
    protected HandOverLockStore createStore() {
        server = ZooKeeperTestServer.start();
        peer = newStore();
        return newStore();
    }

    private ZooKeeperLockStore newStore() {
        return new ZooKeeperLockStore("zookeeper", server.client(Duration.ofSeconds(5)), true, ROOT,
                Duration.ofSeconds(5), ZooKeeperLockStore.DEFAULT_TAKEOVER_DELAY);
    }

    @Test
    void aLockTakenThroughAnotherInstanceIsHandedOverByTheNodeAsRead() {
        String key = uniqueKey("handover-peer");
        String owner = newOwner();
        long first = peer.tryLockFenced(key, owner, LONG_EXPIRE);
        assertThat(first).isPositive();
        String next = newOwner();
        long token = store().handOver(key, owner, next, LONG_EXPIRE);
        assertThat(token).isGreaterThan(first);
        assertThat(store().unlock(key, owner)).isEqualTo(LockStatus.LOCK_BELONG_TO_OTHERS);
        assertThat(store().unlock(key, next)).isEqualTo(LockStatus.SUCCESS);
    }

    @Test
    void aLockRenewedThroughAnotherInstanceIsHandedOverAfterReadingIt() {
        String key = uniqueKey("handover-renewed");
        String owner = newOwner();
        long first = store().tryLockFenced(key, owner, LONG_EXPIRE);
        assertThat(peer.keepAlive(key, owner, LONG_EXPIRE)).isEqualTo(LockStatus.SUCCESS);
        String next = newOwner();
        long token = store().handOver(key, owner, next, LONG_EXPIRE);
        assertThat(token).as("handed over although this store's record is of an older version").isGreaterThan(first);
        assertThat(peer.tryLockFenced(key, newOwner(), LONG_EXPIRE)).isEqualTo(FencedLockStore.NOT_ACQUIRED);
        assertThat(peer.unlock(key, next)).isEqualTo(LockStatus.SUCCESS);
        assertThat(store().unlock(key, owner)).isEqualTo(LockStatus.LOCK_UNEXIST);
    }

    @AfterAll
    void stopServer() throws Exception {
        if (peer != null) {
            peer.close();
        }
        if (server != null) {
            server.close();
        }
    }
}
