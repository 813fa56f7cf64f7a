package io.github.distlock.sample;

import java.nio.file.Path;
import java.util.List;

import io.github.distlock.testsupport.ZooKeeperTestServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;

/** Two instances with the zookeeper profile: locks in a real ZooKeeper, the ledger in one H2 database file. */
class SampleTwoInstancesOnZooKeeperTest extends AbstractTwoInstancesTest {

    private static ZooKeeperTestServer zookeeper;

    @TempDir
    static Path ledgerDirectory;

    @BeforeAll
    static void start() {
        zookeeper = ZooKeeperTestServer.start();
    }

    @AfterAll
    static void stop() throws Exception {
        if (zookeeper != null) {
            zookeeper.close();
        }
    }

    @Override
    protected String profile() {
        return "zookeeper";
    }

    @Override
    protected List<String> storeArguments() {
        return List.of("--distributed-lock.stores.orders.zookeeper.connect-string=" + zookeeper.connectString(),
                "--spring.datasource.url=jdbc:h2:file:" + ledgerDirectory.resolve("ledger") + ";AUTO_SERVER=TRUE");
    }
}
