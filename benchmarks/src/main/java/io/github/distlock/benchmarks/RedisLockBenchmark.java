package io.github.distlock.benchmarks;

import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.Lock;

import io.github.distlock.core.DistributedLockClient;
import io.github.distlock.api.LockKeyNamespace;
import io.github.distlock.api.LockStatus;
import io.github.distlock.api.TryLockRequest;
import io.github.distlock.api.UnlockRequest;
import io.github.distlock.store.redis.RedisLockStore;
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
import org.redisson.Redisson;
import org.redisson.api.RLock;
import org.redisson.api.RedissonClient;
import org.redisson.config.Config;

import org.springframework.data.redis.connection.RedisStandaloneConfiguration;
import org.springframework.data.redis.connection.lettuce.LettuceClientConfiguration;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;
import org.springframework.integration.redis.util.RedisLockRegistry;

/**
 * Lock + unlock cycles per second on Redis, side by side, at 1 and 16 threads: this project's Redis store through
 * {@link DistributedLockClient}; Redisson {@code RLock.tryLock(0, lease)}/{@code unlock}; Spring Integration
 * {@code RedisLockRegistry} {@code tryLock}/{@code unlock}; and a bare {@code PING} round trip for scale. Each thread
 * locks its own key (distinct keys, no contention), so the figures are the libraries' costs and round trips.
 *
 * <pre>java -jar benchmarks/target/benchmarks.jar RedisLock</pre>
 *
 * Redis: {@code DISTLOCK_TEST_REDIS=host:port} (one server for every fork), else a {@code redis-server} child process
 * on a free loopback port per fork (same binary and settings for every library).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 2, time = 3)
@Measurement(iterations = 3, time = 3)
@Fork(value = 1, jvmArgsAppend = "-Xmx1g")
public class RedisLockBenchmark {

    private static final int LEASE_SECONDS = 30;
    private static final String STORE = "redis";

    private RedisTestServer server;
    private String host;
    private int port;

    private LettuceConnectionFactory ourConnectionFactory;
    private RedisLockStore store;
    private DistributedLockClient client;

    private RedissonClient redisson;

    private LettuceConnectionFactory integrationConnectionFactory;
    private RedisLockRegistry lockRegistry;

    private final AtomicInteger threadIds = new AtomicInteger();

    @Setup(Level.Trial)
    public void start() {
        BenchmarkSetup.quietLogging();

        BenchmarkSetup.Redis redis = BenchmarkSetup.Redis.start();
        server = redis.server();
        host = redis.host();
        port = redis.port();

        ourConnectionFactory = connectionFactory();
        store = new RedisLockStore(ourConnectionFactory);
        client = new DistributedLockClient(Map.of(STORE, store), STORE, LockKeyNamespace.of("bench"));

        Config config = new Config();
        config.useSingleServer().setAddress("redis://" + host + ":" + port);
        redisson = Redisson.create(config);

        integrationConnectionFactory = connectionFactory();
        lockRegistry = new RedisLockRegistry(integrationConnectionFactory, "bench-sil",
                TimeUnit.SECONDS.toMillis(LEASE_SECONDS));
    }

    @TearDown(Level.Trial)
    public void stop() {
        lockRegistry.destroy();
        integrationConnectionFactory.destroy();
        redisson.shutdown();
        ourConnectionFactory.destroy();
        if (server != null) {
            server.close();
        }
    }

    private LettuceConnectionFactory connectionFactory() {
        LettuceConnectionFactory factory = new LettuceConnectionFactory(new RedisStandaloneConfiguration(host, port),
                LettuceClientConfiguration.builder().commandTimeout(Duration.ofSeconds(10)).build());
        factory.afterPropertiesSet();
        factory.start();
        return factory;
    }

    /** One thread's key and owner, and the competitors' lock objects for that key. */
    @State(Scope.Thread)
    public static class PerThread {
        String resource;
        String owner;
        TryLockRequest tryLock;
        UnlockRequest unlock;
        RLock redissonLock;
        Lock registryLock;
        String heldKey;
        String freeKey;

        @Setup(Level.Trial)
        public void setUp(RedisLockBenchmark benchmark) {
            resource = "bench-" + benchmark.threadIds.incrementAndGet() + "-" + UUID.randomUUID();
            owner = UUID.randomUUID().toString();
            tryLock = new TryLockRequest(STORE, resource, owner, LEASE_SECONDS);
            unlock = new UnlockRequest(STORE, resource, owner);
            redissonLock = benchmark.redisson.getLock("redisson-" + resource);
            registryLock = benchmark.lockRegistry.obtain(resource);
            heldKey = "held-" + resource;
            freeKey = "free-" + resource;
            benchmark.store.tryLock(heldKey, "someone-else", 3600);
        }
    }

    @Benchmark
    @Threads(1)
    public void distlock_1(PerThread thread) {
        distlockCycle(thread);
    }

    @Benchmark
    @Threads(16)
    public void distlock_16(PerThread thread) {
        distlockCycle(thread);
    }

    @Benchmark
    @Threads(1)
    public void redisson_1(PerThread thread) throws InterruptedException {
        redissonCycle(thread);
    }

    @Benchmark
    @Threads(16)
    public void redisson_16(PerThread thread) throws InterruptedException {
        redissonCycle(thread);
    }

    @Benchmark
    @Threads(1)
    public void springIntegration_1(PerThread thread) {
        registryCycle(thread);
    }

    @Benchmark
    @Threads(16)
    public void springIntegration_16(PerThread thread) {
        registryCycle(thread);
    }

    /** One PING round trip on the connection our store uses: the unit for the single-thread latency target. */
    @Benchmark
    @Threads(1)
    public String ping_1() {
        return store.ping();
    }

    @Benchmark
    @Threads(16)
    public String ping_16() {
        return store.ping();
    }

    /**
     * Time of one lock+unlock cycle over time of one PING, measured alternately in the same loop so that a busy
     * machine slows both alike: the ratio {@code cycleNanos / pingNanos} of this benchmark's secondary results is the
     * single-thread latency in PING round trips.
     */
    @Benchmark
    @Threads(1)
    public void cycleVsPing_1(PerThread thread, CycleVsPingTimes times) {
        long start = System.nanoTime();
        store.ping();
        long pinged = System.nanoTime();
        distlockCycle(thread);
        long cycled = System.nanoTime();
        times.pingNanos += pinged - start;
        times.cycleNanos += cycled - pinged;
    }

    /** Total nanoseconds spent in PINGs and in cycles by {@link #cycleVsPing_1}, per iteration. */
    @State(Scope.Thread)
    @AuxCounters(AuxCounters.Type.EVENTS)
    public static class CycleVsPingTimes {
        public long pingNanos;
        public long cycleNanos;

        @Setup(Level.Iteration)
        public void reset() {
            pingNanos = 0;
            cycleNanos = 0;
        }
    }

    /** Diagnostic: one refused {@code SET NX} through the store, to compare a single lock command with a PING. */
    @Benchmark
    @Threads(1)
    public boolean oneSetNx_1(PerThread thread) {
        return store.tryLock(thread.heldKey, thread.owner, LEASE_SECONDS);
    }

    /** Diagnostic: one unlock script ({@code EVALSHA}) on a key nobody holds, through the store. */
    @Benchmark
    @Threads(1)
    public LockStatus oneEvalSha_1(PerThread thread) {
        return store.unlock(thread.freeKey, thread.owner);
    }

    private void distlockCycle(PerThread thread) {
        if (!client.tryLock(thread.tryLock).success()) {
            throw new IllegalStateException("distlock: not acquired " + thread.resource);
        }
        if (client.unlock(thread.unlock).status() != LockStatus.SUCCESS) {
            throw new IllegalStateException("distlock: not released " + thread.resource);
        }
    }

    private static void redissonCycle(PerThread thread) throws InterruptedException {
        if (!thread.redissonLock.tryLock(0, LEASE_SECONDS, TimeUnit.SECONDS)) {
            throw new IllegalStateException("redisson: not acquired " + thread.resource);
        }
        thread.redissonLock.unlock();
    }

    private static void registryCycle(PerThread thread) {
        if (!thread.registryLock.tryLock()) {
            throw new IllegalStateException("spring-integration: not acquired " + thread.resource);
        }
        thread.registryLock.unlock();
    }
}
