package io.github.distlock.store.zookeeper;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import io.github.distlock.core.AbstractContendedWaitingTest;
import io.github.distlock.core.TemplateWaitingChildStore;
import io.github.distlock.spi.LockStore;
import io.github.distlock.testsupport.ChildJvm;
import io.github.distlock.testsupport.ZooKeeperTestServer;
import org.apache.curator.framework.CuratorFramework;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/** Contended waiting on a real ZooKeeper: release signals by watch, waiters of a JVM in line. */
class ZooKeeperContendedWaitingTest extends AbstractContendedWaitingTest {

    private static final Duration SESSION_TIMEOUT = Duration.ofSeconds(15);

    private ZooKeeperTestServer server;
    private final List<CuratorFramework> clients = new ArrayList<>();

    @BeforeAll
    void start() {
        server = ZooKeeperTestServer.start();
    }

    @AfterAll
    void stop() throws Exception {
        clients.forEach(CuratorFramework::close);
        if (server != null) {
            server.close();
        }
    }

    private static ZooKeeperLockStore store(CuratorFramework client) {
        return new ZooKeeperLockStore("zookeeper", client, true, "/distlock-contended", Duration.ofSeconds(10),
                ZooKeeperLockStore.DEFAULT_TAKEOVER_DELAY);
    }

    @Override
    protected LockStore createStore() {
        CuratorFramework client = server.client(SESSION_TIMEOUT);
        clients.add(client);
        return store(client);
    }

    @Override
    protected Class<? extends ChildJvm.StoreFactory> childFactory() {
        return TemplateChild.class;
    }

    @Override
    protected String childArgument() {
        return server.connectString();
    }

    /** The ZooKeeper store of a child JVM, waited on through a template. */
    public static class TemplateChild implements ChildJvm.StoreFactory {
        @Override
        public LockStore create(String connectString) {
            return new TemplateWaitingChildStore(store(ZooKeeperTestServer.client(connectString, SESSION_TIMEOUT)));
        }
    }
}
