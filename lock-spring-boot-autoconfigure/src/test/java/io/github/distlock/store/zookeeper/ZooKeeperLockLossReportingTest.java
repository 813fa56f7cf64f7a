package io.github.distlock.store.zookeeper;

import java.time.Duration;

import io.github.distlock.spi.LockLossReporting;
import io.github.distlock.testsupport.AbstractLockLossReportingTest;
import io.github.distlock.testsupport.PausableTcpProxy;
import io.github.distlock.testsupport.ZooKeeperTestServer;
import org.junit.jupiter.api.AfterAll;

/**
 * The ZooKeeper store's {@link LockLossReporting}, through a relay the test pauses: the client then gets no answer,
 * suspends its connection after two thirds of its 2 s session timeout, and the store reports every lock it held.
 */
class ZooKeeperLockLossReportingTest extends AbstractLockLossReportingTest {

    private static final Duration SESSION_TIMEOUT = Duration.ofSeconds(2);

    private ZooKeeperTestServer server;
    private PausableTcpProxy proxy;

    @Override
    protected LockLossReporting createStore() throws Exception {
        server = ZooKeeperTestServer.start();
        String connectString = server.connectString();
        int colon = connectString.lastIndexOf(':');
        proxy = new PausableTcpProxy(connectString.substring(0, colon),
                Integer.parseInt(connectString.substring(colon + 1)));
        return new ZooKeeperLockStore("zookeeper", ZooKeeperTestServer.client(proxy.connectString(), SESSION_TIMEOUT),
                true, "/distlock-loss-reporting", Duration.ofSeconds(1), ZooKeeperLockStore.DEFAULT_TAKEOVER_DELAY);
    }

    @AfterAll
    void stopServer() throws Exception {
        if (proxy != null) {
            proxy.close();
        }
        if (server != null) {
            server.close();
        }
    }

    @Override
    protected void cutOff() {
        proxy.pause();
    }

    @Override
    protected void reconnect() {
        proxy.resume();
    }

    @Override
    protected Duration reportDelay() {
        return SESSION_TIMEOUT.plusSeconds(2);
    }
}
