package io.github.distlock.store.zookeeper;

import java.time.Duration;

import io.github.distlock.spi.ReleaseAwaitingLockStore;
import io.github.distlock.testsupport.AbstractReleaseAwaitingLockStoreTest;
import io.github.distlock.testsupport.ZooKeeperTestServer;
import org.junit.jupiter.api.AfterAll;

/** The release-awaiting capability on a real ZooKeeper: one data watch per waited lock node. */
class ZooKeeperReleaseAwaitingLockStoreTest extends AbstractReleaseAwaitingLockStoreTest {

    private ZooKeeperTestServer server;

    @Override
    protected ReleaseAwaitingLockStore createStore() {
        server = ZooKeeperTestServer.start();
        return new ZooKeeperLockStore("zookeeper", server.client(Duration.ofSeconds(5)), true, "/distlock-waiting",
                Duration.ofSeconds(5), ZooKeeperLockStore.DEFAULT_TAKEOVER_DELAY);
    }

    @AfterAll
    void stopServer() throws Exception {
        server.close();
    }
}
