package io.github.distlock.grpc;

import org.springframework.boot.test.context.SpringBootTest;

/** {@link AbstractGrpcWaitingTryLockTest} on the in-memory store (signals releases, hands locks over). */
@SpringBootTest(classes = GrpcLockTestApplication.class, properties = {
        "spring.application.name=grpc-test",
        "distributed-lock.stores.mem.type=in-memory",
        "distributed-lock.default-store=mem",
        "distributed-lock.grpc.enabled=true",
        "distributed-lock.grpc.port=0"})
class InMemoryGrpcWaitingTryLockTest extends AbstractGrpcWaitingTryLockTest {

    @Override
    String store() {
        return "mem";
    }
}
