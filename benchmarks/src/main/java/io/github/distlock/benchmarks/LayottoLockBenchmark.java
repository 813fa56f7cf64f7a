package io.github.distlock.benchmarks;

import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import io.github.distlock.api.LockStatus;
import io.github.distlock.api.TryLockRequest;
import io.github.distlock.api.UnlockRequest;
import io.github.distlock.autoconfigure.DistributedLockAutoConfiguration;
import io.github.distlock.core.DistributedLockClient;
import io.github.distlock.grpc.GrpcLockServer;
import io.github.distlock.grpc.GrpcLockServerAutoConfiguration;
import io.github.distlock.store.inmemory.InMemoryLockStoreAutoConfiguration;
import io.github.distlock.store.layotto.LayottoLockStoreAutoConfiguration;
import io.github.distlock.store.redis.RedisLockStoreAutoConfiguration;
import io.github.distlock.testsupport.RedisTestServer;
import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.ImportAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.data.redis.autoconfigure.DataRedisAutoConfiguration;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * Lock + unlock cycles per second through the {@code layotto} store, against this project's sidecar (the gRPC Lock
 * API server, in the same JVM) with its Redis store behind it, side by side with the same cycle through the Redis
 * store directly, on the same Redis: what the sidecar hop costs. Both stores belong to one application and go
 * through its {@link DistributedLockClient}; each thread cycles its own key, so nothing waits on a lock.
 *
 * <p>{@code layottoVsRedis_1} and {@code _16} time one cycle of each alternately in the same loop, so a busy machine
 * slows both alike: their secondary results {@code layottoNanos / redisNanos} is the ratio of the cycle times.
 *
 * <pre>java -jar benchmarks/target/benchmarks.jar LayottoLock</pre>
 *
 * Redis: {@code DISTLOCK_TEST_REDIS=host:port}, else as the tests find one ({@code RedisTestServer.start()}: Docker,
 * or a {@code redis-server} child process on a free loopback port per fork).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 4, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = "-Xmx1g")
public class LayottoLockBenchmark {

    private static final int LEASE_SECONDS = 30;
    private static final String VIA_SIDECAR = "via-sidecar";
    private static final String DIRECT = "redis";

    private RedisTestServer redis;
    private ConfigurableApplicationContext sidecar;
    private ConfigurableApplicationContext application;
    private DistributedLockClient client;

    private final AtomicInteger threadIds = new AtomicInteger();

    @Setup(Level.Trial)
    public void start() {
        redis = RedisTestServer.start();
        String host = redis.host();
        int port = redis.port();
        String[] common = {"spring.main.banner-mode=off", "logging.level.root=warn",
                "spring.data.redis.host=" + host, "spring.data.redis.port=" + port, "spring.data.redis.timeout=10s"};
        sidecar = new SpringApplicationBuilder(Sidecar.class).web(WebApplicationType.NONE).properties(common)
                .properties("spring.application.name=sidecar", "distributed-lock.stores.redis.type=redis",
                        "distributed-lock.grpc.enabled=true", "distributed-lock.grpc.port=0")
                .run();
        int sidecarPort = sidecar.getBean(GrpcLockServer.class).getPort();
        application = new SpringApplicationBuilder(Application.class).web(WebApplicationType.NONE).properties(common)
                .properties("spring.application.name=bench", "distributed-lock.default-store=" + DIRECT,
                        "distributed-lock.stores." + DIRECT + ".type=redis",
                        "distributed-lock.stores." + VIA_SIDECAR + ".type=layotto",
                        "distributed-lock.stores." + VIA_SIDECAR + ".layotto.address=127.0.0.1:" + sidecarPort,
                        "distributed-lock.stores." + VIA_SIDECAR + ".layotto.store-name=redis")
                .run();
        client = application.getBean(DistributedLockClient.class);
    }

    @TearDown(Level.Trial)
    public void stop() {
        application.close();
        sidecar.close();
        redis.close();
    }

    /** One thread's key and owner, as requests to either store. */
    @State(Scope.Thread)
    public static class PerThread {
        TryLockRequest viaSidecarLock;
        UnlockRequest viaSidecarUnlock;
        TryLockRequest directLock;
        UnlockRequest directUnlock;
        int invocations;

        @Setup(Level.Trial)
        public void setUp(LayottoLockBenchmark benchmark) {
            String resource = "bench-" + benchmark.threadIds.incrementAndGet() + "-" + UUID.randomUUID();
            String owner = UUID.randomUUID().toString();
            viaSidecarLock = new TryLockRequest(VIA_SIDECAR, resource, owner, LEASE_SECONDS);
            viaSidecarUnlock = new UnlockRequest(VIA_SIDECAR, resource, owner);
            directLock = new TryLockRequest(DIRECT, resource, owner, LEASE_SECONDS);
            directUnlock = new UnlockRequest(DIRECT, resource, owner);
        }
    }

    @Benchmark
    @Threads(1)
    public void layotto_1(PerThread thread) {
        cycle(thread.viaSidecarLock, thread.viaSidecarUnlock);
    }

    @Benchmark
    @Threads(16)
    public void layotto_16(PerThread thread) {
        cycle(thread.viaSidecarLock, thread.viaSidecarUnlock);
    }

    @Benchmark
    @Threads(1)
    public void redis_1(PerThread thread) {
        cycle(thread.directLock, thread.directUnlock);
    }

    @Benchmark
    @Threads(16)
    public void redis_16(PerThread thread) {
        cycle(thread.directLock, thread.directUnlock);
    }

    @Benchmark
    @Threads(1)
    public void layottoVsRedis_1(PerThread thread, CycleTimes times) {
        layottoVsRedis(thread, times);
    }

    @Benchmark
    @Threads(16)
    public void layottoVsRedis_16(PerThread thread, CycleTimes times) {
        layottoVsRedis(thread, times);
    }

    private void layottoVsRedis(PerThread thread, CycleTimes times) {
        // Alternate which goes first, so that neither always follows the other.
        boolean sidecarFirst = (thread.invocations++ & 1) == 0;
        long start = System.nanoTime();
        if (sidecarFirst) {
            cycle(thread.viaSidecarLock, thread.viaSidecarUnlock);
        } else {
            cycle(thread.directLock, thread.directUnlock);
        }
        long middle = System.nanoTime();
        if (sidecarFirst) {
            cycle(thread.directLock, thread.directUnlock);
        } else {
            cycle(thread.viaSidecarLock, thread.viaSidecarUnlock);
        }
        long end = System.nanoTime();
        times.layottoNanos += sidecarFirst ? middle - start : end - middle;
        times.redisNanos += sidecarFirst ? end - middle : middle - start;
    }

    /** Total nanoseconds spent in cycles through the sidecar and directly by {@link #layottoVsRedis}. */
    @State(Scope.Thread)
    @AuxCounters(AuxCounters.Type.EVENTS)
    public static class CycleTimes {
        public long layottoNanos;
        public long redisNanos;

        @Setup(Level.Iteration)
        public void reset() {
            layottoNanos = 0;
            redisNanos = 0;
        }
    }

    private void cycle(TryLockRequest lock, UnlockRequest unlock) {
        if (!client.tryLock(lock).success()) {
            throw new IllegalStateException("not acquired: " + lock);
        }
        if (client.unlock(unlock).status() != LockStatus.SUCCESS) {
            throw new IllegalStateException("not released: " + unlock);
        }
    }

    /** The sidecar: the gRPC Lock API with a Redis store. */
    @SpringBootConfiguration
    @ImportAutoConfiguration({DataRedisAutoConfiguration.class, DistributedLockAutoConfiguration.class,
            InMemoryLockStoreAutoConfiguration.class, RedisLockStoreAutoConfiguration.class,
            GrpcLockServerAutoConfiguration.class})
    public static class Sidecar {
    }

    /** The application: a layotto store to the sidecar, and the Redis store directly. */
    @SpringBootConfiguration
    @ImportAutoConfiguration({DataRedisAutoConfiguration.class, DistributedLockAutoConfiguration.class,
            InMemoryLockStoreAutoConfiguration.class, RedisLockStoreAutoConfiguration.class,
            LayottoLockStoreAutoConfiguration.class})
    public static class Application {
    }
}
