package io.github.distlock.grpc;

import io.github.distlock.testsupport.EtcdTestServer;
import org.junit.jupiter.api.BeforeAll;

import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * {@link AbstractGrpcWaitingTryLockTest} on a real etcd: release signal by a watch on the holder's key, over a
 * network.
 */
@SpringBootTest(classes = GrpcWaitingStoresApplication.class, properties = {
        "spring.application.name=grpc-wait-test",
        "distributed-lock.stores.etcd.type=etcd",
        "distributed-lock.default-store=etcd",
        "distributed-lock.grpc.enabled=true",
        "distributed-lock.grpc.port=0"})
// The shared etcd outlives the class, but its client and gRPC server need not: no cached context left running.
@DirtiesContext
class EtcdGrpcWaitingTryLockTest extends AbstractGrpcWaitingTryLockTest {

    // The JVM's shared etcd, looked up before the context, so that a missing one skips (or fails, under CI=true).
    private static EtcdTestServer etcd;

    @BeforeAll
    static void findEtcd() {
        etcd = EtcdTestServer.shared();
    }

    @DynamicPropertySource
    static void etcdAddress(DynamicPropertyRegistry registry) {
        registry.add("distributed-lock.stores.etcd.etcd.endpoints", () -> etcd.endpoint());
    }

    @Override
    String store() {
        return "etcd";
    }
}
