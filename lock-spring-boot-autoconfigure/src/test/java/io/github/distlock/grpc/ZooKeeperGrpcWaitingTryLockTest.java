package io.github.distlock.grpc;

import io.github.distlock.testsupport.ZooKeeperTestServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * {@link AbstractGrpcWaitingTryLockTest} on a real ZooKeeper server (in-process): release signal by a watch on the
 * holder's node, over a network.
 */
@SpringBootTest(classes = GrpcWaitingStoresApplication.class, properties = {
        "spring.application.name=grpc-wait-test",
        "distributed-lock.stores.zk.type=zookeeper",
        "distributed-lock.default-store=zk",
        "distributed-lock.grpc.enabled=true",
        "distributed-lock.grpc.port=0"})
// Its ZooKeeper ends with the class: never cache the context beyond it.
@DirtiesContext
class ZooKeeperGrpcWaitingTryLockTest extends AbstractGrpcWaitingTryLockTest {

    // Started before the context, so that a server that cannot start skips (or fails, under CI=true) the class.
    private static ZooKeeperTestServer zooKeeper;

    @BeforeAll
    static void startZooKeeper() {
        zooKeeper = ZooKeeperTestServer.start();
    }

    @AfterAll
    static void stopZooKeeper() throws Exception {
        if (zooKeeper != null) {
            zooKeeper.close();
        }
    }

    @DynamicPropertySource
    static void zooKeeperAddress(DynamicPropertyRegistry registry) {
        registry.add("distributed-lock.stores.zk.zookeeper.connect-string", () -> zooKeeper.connectString());
    }

    @Override
    String store() {
        return "zk";
    }
}
