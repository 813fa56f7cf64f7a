package io.github.distlock.store.zookeeper;

import java.time.Duration;

import io.github.distlock.spi.FencedLockStore;
import io.github.distlock.testsupport.AbstractFencedLockStoreTest;
import io.github.distlock.testsupport.ZooKeeperTestServer;
import org.junit.jupiter.api.AfterAll;

/** Fencing tokens on a real ZooKeeper: the lock node's czxid. Each store has a session of its own. */
class ZooKeeperFencedLockStoreTest extends AbstractFencedLockStoreTest {

    private ZooKeeperTestServer server;

    @Override
    protected FencedLockStore createStore() {
        server = ZooKeeperTestServer.start();
        return newStore();
    }

    @Override
    protected FencedLockStore createRestartedStore() {
        return newStore();
    }

    private ZooKeeperLockStore newStore() {
        return new ZooKeeperLockStore("zookeeper", server.client(Duration.ofSeconds(5)), true, "/distlock-fenced",
                Duration.ofSeconds(5), ZooKeeperLockStore.DEFAULT_TAKEOVER_DELAY);
    }

    @AfterAll
    void stopServer() throws Exception {
        server.close();
    }
}
