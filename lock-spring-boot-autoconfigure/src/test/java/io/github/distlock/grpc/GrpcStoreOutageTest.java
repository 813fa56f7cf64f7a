package io.github.distlock.grpc;

import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import io.github.distlock.autoconfigure.DistributedLockAutoConfiguration;
import io.github.distlock.store.inmemory.InMemoryLockStoreAutoConfiguration;
import io.github.distlock.grpc.proto.UnlockResponse;
import io.github.distlock.store.redis.RedisLockStoreAutoConfiguration;
import io.github.distlock.testsupport.RedisTestServer;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.ImportAutoConfiguration;
import org.springframework.boot.data.redis.autoconfigure.DataRedisAutoConfiguration;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.context.annotation.Bean;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import static io.github.distlock.grpc.LockApiChannel.assertStatus;
import static io.github.distlock.grpc.LockApiChannel.keepAlive;
import static io.github.distlock.grpc.LockApiChannel.tryLock;
import static io.github.distlock.grpc.LockApiChannel.unlock;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * A store outage seen by a real gRPC client: the running application's {@code redis} store is backed by a real
 * {@code redis-server} that the test stops and starts again on the same port. While it is down, every Lock API call
 * fails with {@code UNAVAILABLE} naming the store, the operation and the cause, within the command timeout; once it
 * is back, the same application serves locks again.
 */
@SpringBootTest(classes = GrpcStoreOutageTest.OutageApplication.class, properties = {
        "spring.application.name=grpc-outage-test",
        "distributed-lock.stores.redis.type=redis",
        "distributed-lock.default-store=redis",
        "distributed-lock.grpc.enabled=true",
        "distributed-lock.grpc.port=0"})
// The context keeps reconnecting to a server of this class only: close it with the class, never cache it.
@DirtiesContext
class GrpcStoreOutageTest {

    private static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(1);
    /** Time for gRPC and the store around a command that times out; generous for a shared, busy machine. */
    private static final Duration MARGIN = Duration.ofMillis(1_500);
    private static final Duration RECOVERY_LIMIT = Duration.ofSeconds(30);

    // Started before the context, so that a missing redis-server skips (or fails, under CI=true) the class
    // rather than breaking the context.
    private static RedisTestServer redis;

    @Autowired
    GrpcLockServer server;

    @Autowired
    MeterRegistry meters;

    LockApiChannel client;

    @BeforeAll
    static void startRedis() {
        redis = RedisTestServer.startLocalProcess();
    }

    @AfterAll
    static void stopRedis() {
        if (redis != null) {
            redis.close();
        }
    }

    @DynamicPropertySource
    static void redisAddress(DynamicPropertyRegistry registry) {
        registry.add("spring.data.redis.host", () -> redis.host());
        registry.add("spring.data.redis.port", () -> redis.port());
        registry.add("spring.data.redis.timeout", () -> COMMAND_TIMEOUT.toMillis() + "ms");
    }

    @BeforeEach
    void connect() {
        client = new LockApiChannel(server.getPort());
    }

    @AfterEach
    void disconnect() throws InterruptedException {
        client.close();
    }

    @Test
    void whileRedisIsDownEveryCallIsUnavailableWithTheCauseThenTheSameAppServesAgain() throws Exception {
        String resource = "order-" + UUID.randomUUID();
        assertThat(client.stub().tryLock(tryLock("redis", resource, "alice", 30)).getSuccess()).isTrue();
        assertThat(client.stub().tryLock(tryLock("", resource, "bob", 30)).getSuccess())
                .as("held in Redis, and the empty store name is the redis store").isFalse();

        String lost = "outage-" + UUID.randomUUID();
        redis.stop();
        try {
            assertUnavailableInTime("TryLock", () -> client.stub().tryLock(tryLock("redis", lost, "ghost", 60)));
            assertUnavailableInTime("Unlock", () -> client.stub().unlock(unlock("redis", resource, "alice")));
            assertUnavailableInTime("LockKeepAlive",
                    () -> client.stub().lockKeepAlive(keepAlive("redis", resource, "alice", 30)));
        } finally {
            redis.restart();
        }

        assertThat(meters.get("distributed.lock.acquire").tags(errorTags("result")).timer().count())
                .as("TryLock errors").isEqualTo(1);
        assertThat(meters.get("distributed.lock.unlock").tags(errorTags("status")).counter().count())
                .as("Unlock errors").isEqualTo(1);
        assertThat(meters.get("distributed.lock.keepalive").tags(errorTags("status")).counter().count())
                .as("LockKeepAlive errors").isEqualTo(1);

        // Lettuce reconnects by itself, after a back-off: until then calls still fail the same way.
        String fresh = "after-" + UUID.randomUUID();
        long deadline = System.nanoTime() + RECOVERY_LIMIT.toNanos();
        while (true) {
            try {
                assertThat(client.stub().tryLock(tryLock("redis", fresh, "alice", 30)).getSuccess()).isTrue();
                break;
            } catch (StatusRuntimeException e) {
                assertThat(e.getStatus().getCode()).as(e.getStatus().toString()).isEqualTo(Status.Code.UNAVAILABLE);
                assertThat(System.nanoTime()).as("served again within %s: %s", RECOVERY_LIMIT, e.getStatus())
                        .isLessThan(deadline);
                TimeUnit.MILLISECONDS.sleep(200);
            }
        }
        assertThat(client.stub().tryLock(tryLock("redis", fresh, "bob", 30)).getSuccess()).isFalse();
        assertThat(client.stub().unlock(unlock("redis", fresh, "alice")).getStatus())
                .isEqualTo(UnlockResponse.Status.SUCCESS);
        assertThat(client.stub().tryLock(tryLock("redis", fresh, "bob", 30)).getSuccess()).isTrue();
        // The TryLock that failed was cancelled, not queued and sent once Redis was back: its client was told it
        // failed and would never release it.
        assertThat(client.stub().tryLock(tryLock("redis", lost, "next", 30)).getSuccess())
                .as("the failed TryLock was not replayed").isTrue();
    }

    private static void assertUnavailableInTime(String operation, Executable call) {
        long start = System.nanoTime();
        StatusRuntimeException e = assertStatus(Status.Code.UNAVAILABLE,
                "Lock store 'redis' failed during " + operation, call);
        Duration took = Duration.ofNanos(System.nanoTime() - start);
        assertThat(took).as("%s failed within the command timeout plus a margin", operation)
                .isLessThan(COMMAND_TIMEOUT.plus(MARGIN));
        // The cause, as the store client reported it: "...: RedisCommandTimeoutException: Command timed out...".
        assertThat(e.getStatus().getDescription()).as(operation)
                .containsPattern("': \\w*(Redis|Connection|Timeout)\\w*Exception: \\S");
    }

    private static String[] errorTags(String outcomeTag) {
        return new String[] {"store", "redis", "source", "grpc", outcomeTag, "error"};
    }

    /** The gRPC Lock API with one store, of type redis, on a Redis the test controls; and metrics. */
    @SpringBootConfiguration
    @ImportAutoConfiguration({DataRedisAutoConfiguration.class, DistributedLockAutoConfiguration.class, InMemoryLockStoreAutoConfiguration.class,
            RedisLockStoreAutoConfiguration.class, GrpcLockServerAutoConfiguration.class})
    static class OutageApplication {

        @Bean
        MeterRegistry meterRegistry() {
            return new SimpleMeterRegistry();
        }
    }
}
