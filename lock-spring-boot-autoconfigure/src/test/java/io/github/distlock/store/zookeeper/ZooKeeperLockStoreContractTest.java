package io.github.distlock.store.zookeeper;

import java.time.Duration;

import io.github.distlock.spi.LockStore;
import io.github.distlock.testsupport.AbstractLockStoreContractTest;
import io.github.distlock.testsupport.ZooKeeperTestServer;
import org.apache.curator.framework.CuratorFramework;
import org.junit.jupiter.api.AfterAll;

class ZooKeeperLockStoreContractTest extends AbstractLockStoreContractTest {

    private ZooKeeperTestServer server;

    @Override
    protected LockStore createStore() {
        server = ZooKeeperTestServer.start();
        return newStore();
    }

    /** A second store with a Curator client (and so a ZooKeeper session) of its own, on the same server and root. */
    @Override
    protected LockStore createPeerStore() {
        return newStore();
    }

    private ZooKeeperLockStore newStore() {
        CuratorFramework client = server.client(Duration.ofSeconds(5));
        return new ZooKeeperLockStore("zookeeper", client, true, "/distlock-contract", Duration.ofSeconds(5),
                ZooKeeperLockStore.DEFAULT_TAKEOVER_DELAY);
    }

    @AfterAll
    void stopServer() throws Exception {
        server.close();
    }
}
