package io.github.distlock.grpc;

import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import io.github.distlock.api.LockNotAcquiredException;
import io.github.distlock.grpc.proto.UnlockResponse;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;

import static io.github.distlock.grpc.LockApiChannel.tryLock;
import static io.github.distlock.grpc.LockApiChannel.unlock;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * A lock taken over gRPC and a {@code @DistributedLock} method of the same application exclude each other on the
 * same resource: both go through the same client, store and key prefix.
 */
@SpringBootTest(classes = GrpcLockTestApplication.class, properties = {
        "spring.application.name=grpc-test",
        "distributed-lock.stores.mem.type=in-memory",
        "distributed-lock.default-store=mem",
        "distributed-lock.grpc.enabled=true",
        "distributed-lock.grpc.port=0"})
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class GrpcAnnotationInterleavingTest {

    @Autowired
    GrpcLockServer server;

    @Autowired
    GrpcLockTestApplication.Payments payments;

    LockApiChannel client;

    @BeforeAll
    void connect() {
        client = new LockApiChannel(server.getPort());
    }

    @AfterAll
    void disconnect() throws InterruptedException {
        client.close();
    }

    @Test
    void aResourceHeldOverGrpcRefusesTheAnnotatedMethod() {
        String order = "order-" + UUID.randomUUID();
        assertThat(client.stub.tryLock(tryLock("", order, "sidecar-client", 30)).getSuccess()).isTrue();

        assertThatThrownBy(() -> payments.pay(order)).isInstanceOf(LockNotAcquiredException.class)
                .hasMessageContaining(order);

        assertThat(client.stub.unlock(unlock("", order, "sidecar-client")).getStatus())
                .isEqualTo(UnlockResponse.Status.SUCCESS);
        assertThat(payments.pay(order)).isEqualTo("paid " + order);
    }

    @Test
    void aResourceHeldByTheAnnotatedMethodIsRefusedOverGrpc() throws Exception {
        String order = "order-" + UUID.randomUUID();
        CountDownLatch entered = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        CompletableFuture<Void> running = CompletableFuture.runAsync(() -> {
            try {
                payments.holdWhile(order, entered, release);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        });
        try {
            assertThat(entered.await(10, TimeUnit.SECONDS)).as("the annotated method started").isTrue();
            assertThat(client.stub.tryLock(tryLock("mem", order, "sidecar-client", 30)).getSuccess()).isFalse();
            assertThat(client.stub.unlock(unlock("mem", order, "sidecar-client")).getStatus())
                    .as("the annotated call's lock is not released by a gRPC client")
                    .isEqualTo(UnlockResponse.Status.LOCK_BELONG_TO_OTHERS);
        } finally {
            release.countDown();
        }
        running.get(10, TimeUnit.SECONDS);

        assertThat(client.stub.tryLock(tryLock("mem", order, "sidecar-client", 30)).getSuccess())
                .as("free once the method returned").isTrue();
    }
}
