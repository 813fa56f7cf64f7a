package io.github.distlock.store.zookeeper;

import java.time.Duration;

import io.github.distlock.api.LockLossCause;
import io.github.distlock.api.LockLostEvent;
import io.github.distlock.holding.AbstractNetworkLockLossTest;
import io.github.distlock.spi.LockStore;
import io.github.distlock.testsupport.PausableTcpProxy;
import io.github.distlock.testsupport.ZooKeeperTestServer;
import org.apache.curator.framework.CuratorFramework;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@link AbstractNetworkLockLossTest} on ZooKeeper: the node deleted by another client; and a pause reported by the
 * store itself as soon as its connection is suspended (session timeout 2 s: after about 1.3 s without an answer),
 * before the lease is over.
 */
class ZooKeeperLockLossTest extends AbstractNetworkLockLossTest {

    private static final Duration SESSION_TIMEOUT = Duration.ofSeconds(2);

    private ZooKeeperTestServer server;
    private ZooKeeperLockStore store;
    private CuratorFramework operator;

    @BeforeAll
    void start() {
        server = ZooKeeperTestServer.start();
        store = newStore(server.client(SESSION_TIMEOUT));
        operator = server.client(SESSION_TIMEOUT);
    }

    @AfterAll
    void stop() throws Exception {
        if (store != null) {
            store.close();
        }
        if (operator != null) {
            operator.close();
        }
        if (server != null) {
            server.close();
        }
    }

    private static ZooKeeperLockStore newStore(CuratorFramework client) {
        return new ZooKeeperLockStore("zookeeper", client, true, "/distlock-loss", Duration.ofSeconds(1),
                ZooKeeperLockStore.DEFAULT_TAKEOVER_DELAY);
    }

    @Override
    protected LockStore store() {
        return store;
    }

    @Override
    protected void removeBehindItsBack(String key, String owner) throws Exception {
        operator.delete().forPath(store.pathFor(key));
    }

    @Override
    protected LockStore storeThrough(PausableTcpProxy proxy) {
        return newStore(ZooKeeperTestServer.client(proxy.connectString(), SESSION_TIMEOUT));
    }

    @Override
    protected String serverHost() {
        return server.connectString().substring(0, server.connectString().lastIndexOf(':'));
    }

    @Override
    protected int serverPort() {
        return Integer.parseInt(server.connectString().substring(server.connectString().lastIndexOf(':') + 1));
    }

    @Override
    protected void assertLostToThePause(long lostAfterAcquiringMillis, long lostAfterPauseMillis,
            LockLostEvent event) {
        assertThat(lostAfterPauseMillis).as("ms from the pause until lost: the connection suspended")
                .isLessThan(SESSION_TIMEOUT.toMillis() + 600);
        assertThat(event.cause()).isEqualTo(LockLossCause.STORE_REPORTED);
        assertThat(event.detail()).startsWith("ZooKeeper connection SUSPENDED (session 0x");
    }
}
