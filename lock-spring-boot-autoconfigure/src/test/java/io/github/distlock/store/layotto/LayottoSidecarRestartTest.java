package io.github.distlock.store.layotto;

import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import io.github.distlock.api.LockKeepAliveRequest;
import io.github.distlock.api.LockKeyNamespace;
import io.github.distlock.api.LockStatus;
import io.github.distlock.api.LockStoreException;
import io.github.distlock.api.TryLockRequest;
import io.github.distlock.api.UnlockRequest;
import io.github.distlock.autoconfigure.DistributedLockAutoConfiguration;
import io.github.distlock.core.DistributedLockClient;
import io.github.distlock.grpc.GrpcLockService;
import io.github.distlock.grpc.GrpcLockServiceDefinition;
import io.github.distlock.metrics.LockMetrics;
import io.github.distlock.metrics.LockRecorders;
import io.github.distlock.store.inmemory.InMemoryLockStore;
import io.github.distlock.store.inmemory.InMemoryLockStoreAutoConfiguration;
import io.github.distlock.testsupport.RedisTestServer;
import io.github.distlock.testsupport.TestServers;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.ThrowingSupplier;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The sidecar (this project's, with a real Redis behind it) stopped and started again on the same port under a
 * running application: while it is down every operation fails with a {@link LockStoreException} naming the store,
 * the sidecar and the status, within the deadline; once it is back the same application locks again, without a
 * restart, and the lock taken before the outage is still there (Redis kept it).
 */
class LayottoSidecarRestartTest {

    private static final Duration DEADLINE = Duration.ofSeconds(2);
    /** Time around a call for a busy shared machine. */
    private static final Duration MARGIN = Duration.ofMillis(1_500);
    private static final Duration RECOVERY_LIMIT = Duration.ofSeconds(3);

    private RedisTestServer redis;
    private TestSidecar sidecar;

    @AfterEach
    void stopServers() {
        if (sidecar != null) {
            sidecar.close();
        }
        if (redis != null) {
            redis.close();
        }
    }

    @Test
    void whileTheSidecarIsDownCallsFailTypedThenTheSameApplicationLocksAgain() throws Exception {
        redis = RedisTestServer.start();
        int port = TestServers.freePort();
        sidecar = TestSidecar.redis(redis, port);
        String prefix = "distributed-lock.stores.side.layotto.";
        new ApplicationContextRunner()
                .withConfiguration(AutoConfigurations.of(DistributedLockAutoConfiguration.class,
                        InMemoryLockStoreAutoConfiguration.class, LayottoLockStoreAutoConfiguration.class))
                .withPropertyValues("spring.application.name=app", "distributed-lock.stores.side.type=layotto",
                        prefix + "address=127.0.0.1:" + port, prefix + "store-name=redis",
                        prefix + "deadline=" + DEADLINE.toMillis() + "ms")
                .run(context -> {
                    DistributedLockClient client = context.getBean(DistributedLockClient.class);
                    String held = "held-" + UUID.randomUUID();
                    assertThat(client.tryLock(new TryLockRequest("side", held, "alice", 60)).success()).isTrue();

                    sidecar.close();
                    sidecar = null;
                    assertThat(TestServers.awaitPortClosed(port, Duration.ofSeconds(10))).isTrue();
                    // Several rounds, so that the channel backs off from failed connections meanwhile.
                    for (int round = 0; round < 3; round++) {
                        assertFailsInTime("TryLock",
                                () -> client.tryLock(new TryLockRequest("side", "other", "bob", 60)));
                        assertFailsInTime("Unlock", () -> client.unlock(new UnlockRequest("side", held, "alice")));
                        assertFailsInTime("LockKeepAlive",
                                () -> client.keepAlive(new LockKeepAliveRequest("side", held, "alice", 60)));
                        TimeUnit.MILLISECONDS.sleep(700);
                    }

                    sidecar = TestSidecar.redis(redis, port);
                    // Served within a second or so: a call made while the channel backs off makes it reconnect at
                    // once (the back-off alone would have grown to seconds, and to minutes in a long outage).
                    long restarted = System.nanoTime();
                    assertThat(LayottoTestStores.whenServed(RECOVERY_LIMIT,
                            () -> client.tryLock(new TryLockRequest("side", held, "bob", 60)).success()))
                            .as("still held by alice: Redis kept the lock through the outage").isFalse();
                    assertThat(Duration.ofNanos(System.nanoTime() - restarted)).isLessThan(RECOVERY_LIMIT);
                    assertThat(client.keepAlive(new LockKeepAliveRequest("side", held, "alice", 60)).status())
                            .isEqualTo(LockStatus.SUCCESS);
                    assertThat(client.unlock(new UnlockRequest("side", held, "alice")).status())
                            .isEqualTo(LockStatus.SUCCESS);
                    assertThat(client.tryLock(new TryLockRequest("side", held, "bob", 60)).success()).isTrue();
                });
    }

    @Test
    void afterALongOutageTheStoreReconnectsAtOnceRatherThanAfterTheChannelsBackOff() throws Exception {
        int port = TestServers.freePort();
        GrpcLockService service = new GrpcLockService(new DistributedLockClient(Map.of("mem",
                new InMemoryLockStore()), "mem", LockKeyNamespace.none()), new LockRecorders(LockMetrics.NOOP));
        try (LayottoLockStore store = LayottoTestStores.create("side", "127.0.0.1:" + port, "")) {
            // Ten seconds of failed connections: gRPC's back-off between attempts has grown to several seconds.
            long outageEnd = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            while (System.nanoTime() < outageEnd) {
                assertFailsInTime("TryLock", () -> store.tryLock("k", "alice", 30));
                TimeUnit.MILLISECONDS.sleep(500);
            }
            try (BareGrpcServer server = BareGrpcServer.start(port, GrpcLockServiceDefinition.of(service))) {
                assertThat(LayottoTestStores.whenServed(Duration.ofSeconds(1), () -> store.tryLock("k", "alice", 30)))
                        .isTrue();
            }
        } finally {
            service.close();
        }
    }

    private static void assertFailsInTime(String operation, ThrowingSupplier<?> call) {
        long start = System.nanoTime();
        assertThatThrownBy(call::get).isInstanceOf(LockStoreException.class)
                .hasMessageContaining("Lock store 'side'")
                .hasMessageContaining(operation + " of ")
                .hasMessageContaining("through the sidecar at 127.0.0.1:")
                .hasMessageContaining("UNAVAILABLE");
        assertThat(Duration.ofNanos(System.nanoTime() - start)).as(operation).isLessThan(DEADLINE.plus(MARGIN));
    }
}
