package io.github.distlock.grpc;

import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.google.common.util.concurrent.ListenableFuture;
import io.github.distlock.autoconfigure.DistributedLockAutoConfiguration;
import io.github.distlock.grpc.proto.RuntimeGrpc;
import io.github.distlock.grpc.proto.TryLockResponse;
import io.github.distlock.grpc.proto.UnlockResponse;
import io.github.distlock.store.inmemory.InMemoryLockStoreAutoConfiguration;
import io.github.distlock.store.redis.RedisLockStoreAutoConfiguration;
import io.github.distlock.testsupport.PausableTcpProxy;
import io.github.distlock.testsupport.RedisTestServer;
import io.grpc.Status;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.ImportAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.data.redis.autoconfigure.DataRedisAutoConfiguration;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.ConfigurableApplicationContext;

import static io.github.distlock.grpc.LockApiChannel.assertStatus;
import static io.github.distlock.grpc.LockApiChannel.tryLock;
import static io.github.distlock.grpc.LockApiChannel.unlock;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The server's bound on calls to a blocking store, and its logging of failures, with a real Redis behind a proxy
 * that can hold Redis's replies (so store calls hang, as with a stalled server): beyond
 * {@code max-concurrent-calls} a request is refused at once with {@code RESOURCE_EXHAUSTED} instead of queueing;
 * failures are logged once per cause per {@code failure-log-interval}, not once per request.
 */
@ExtendWith(OutputCaptureExtension.class)
class GrpcServerSaturationTest {

    private RedisTestServer redis;
    private PausableTcpProxy proxy;
    private ConfigurableApplicationContext context;
    private LockApiChannel client;

    @BeforeEach
    void startRedis() throws Exception {
        redis = RedisTestServer.start();
        proxy = new PausableTcpProxy(redis.host(), redis.port());
    }

    @AfterEach
    void stopAll() throws Exception {
        if (client != null) {
            client.close();
        }
        if (context != null) {
            context.close();
        }
        proxy.close();
        redis.close();
    }

    private void startServer(Duration redisTimeout, String... properties) {
        context = new SpringApplicationBuilder(SaturationApplication.class).web(WebApplicationType.NONE)
                .properties("spring.main.banner-mode=off", "spring.application.name=saturation",
                        "distributed-lock.stores.redis.type=redis", "distributed-lock.grpc.enabled=true",
                        "distributed-lock.grpc.port=0", "spring.data.redis.host=127.0.0.1",
                        "spring.data.redis.port=" + proxy.port(),
                        "spring.data.redis.timeout=" + redisTimeout.toMillis() + "ms")
                .properties(properties)
                .run();
        client = new LockApiChannel(context.getBean(GrpcLockServer.class).getPort());
        String warmUp = "warm-up-" + UUID.randomUUID();
        assertThat(client.stub().tryLock(tryLock("", warmUp, "o", 30)).getSuccess()).isTrue();
        assertThat(client.stub().unlock(unlock("", warmUp, "o")).getStatus()).isEqualTo(UnlockResponse.Status.SUCCESS);
    }

    @Test
    void whenMaxConcurrentCallsHangRequestsAreRefusedAtOnceAndServedAgainAfterwards(CapturedOutput output)
            throws Exception {
        startServer(Duration.ofSeconds(20), "distributed-lock.grpc.max-concurrent-calls=2");
        GrpcLockService service = context.getBean(GrpcLockService.class);
        proxy.pauseReplies();
        RuntimeGrpc.RuntimeFutureStub async = RuntimeGrpc.newFutureStub(client.channel)
                .withDeadlineAfter(30, TimeUnit.SECONDS);
        ListenableFuture<TryLockResponse> first = async.tryLock(tryLock("", "hung-1", "a", 30));
        ListenableFuture<TryLockResponse> second = async.tryLock(tryLock("", "hung-2", "b", 30));
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (service.runningCalls() < 2) {
            assertThat(System.nanoTime()).as("both calls reached the store").isLessThan(deadline);
            Thread.sleep(10);
        }

        for (int i = 0; i < 5; i++) {
            long start = System.nanoTime();
            assertStatus(Status.Code.RESOURCE_EXHAUSTED, "distributed-lock.grpc.max-concurrent-calls",
                    () -> client.stub().tryLock(tryLock("", "third", "c", 30)));
            assertThat(Duration.ofNanos(System.nanoTime() - start)).as("refused at once").isLessThan(
                    Duration.ofSeconds(1));
        }
        assertThat(count(output, "TryLock refused: the Lock API server is already serving its maximum of 2"))
                .as("one WARN for five refusals").isEqualTo(1);

        proxy.resumeReplies();
        assertThat(first.get(20, TimeUnit.SECONDS).getSuccess()).isTrue();
        assertThat(second.get(20, TimeUnit.SECONDS).getSuccess()).isTrue();
        assertThat(client.stub().tryLock(tryLock("", "third", "c", 30)).getSuccess()).isTrue();
        // A call counts as running until just after its answer is sent, so the client may see the answer first.
        long drained = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (service.runningCalls() > 0) {
            assertThat(System.nanoTime()).as("no call left running").isLessThan(drained);
            Thread.sleep(10);
        }
    }

    @Test
    void storeFailuresAreLoggedOncePerCauseAndIntervalNotOncePerRequest(CapturedOutput output) {
        startServer(Duration.ofMillis(300), "distributed-lock.grpc.failure-log-interval=1h");
        proxy.pauseReplies();
        for (int i = 0; i < 8; i++) {
            int n = i;
            assertStatus(Status.Code.UNAVAILABLE, "Lock store 'redis' failed during TryLock",
                    () -> client.stub().tryLock(tryLock("", "timed-out-" + n, "o", 30)));
        }
        assertStatus(Status.Code.UNAVAILABLE, "Lock store 'redis' failed during Unlock",
                () -> client.stub().unlock(unlock("", "timed-out-0", "o")));
        assertThat(count(output, "over gRPC failed")).as("one WARN for nine failures of one cause").isEqualTo(1);
        assertThat(count(output, "TryLock over gRPC failed: Lock store 'redis'")).isEqualTo(1);
    }

    private static int count(CapturedOutput output, String text) {
        Matcher matcher = Pattern.compile(Pattern.quote(text)).matcher(output.getOut());
        int count = 0;
        while (matcher.find()) {
            count++;
        }
        return count;
    }

    @SpringBootConfiguration
    @ImportAutoConfiguration({DataRedisAutoConfiguration.class, DistributedLockAutoConfiguration.class,
            InMemoryLockStoreAutoConfiguration.class, RedisLockStoreAutoConfiguration.class,
            GrpcLockServerAutoConfiguration.class})
    static class SaturationApplication {
    }
}
