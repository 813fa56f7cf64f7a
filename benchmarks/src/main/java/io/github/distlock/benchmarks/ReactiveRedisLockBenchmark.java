package io.github.distlock.benchmarks;

import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import io.github.distlock.api.LockKeyNamespace;
import io.github.distlock.api.LockOptions;
import io.github.distlock.core.DistributedLockClient;
import io.github.distlock.core.LockTemplate;
import io.github.distlock.reactive.ReactiveLockTemplate;
import io.github.distlock.store.redis.RedisLockStore;
import io.github.distlock.testsupport.RedisTestServer;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;
import org.redisson.Redisson;
import org.redisson.api.RLockReactive;
import org.redisson.api.RedissonClient;
import org.redisson.api.RedissonReactiveClient;
import org.redisson.config.Config;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import org.springframework.data.redis.connection.RedisStandaloneConfiguration;
import org.springframework.data.redis.connection.lettuce.LettuceClientConfiguration;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;

/**
 * Reactive lock + unlock cycles per second on Redis with {@value #SUBSCRIPTIONS} concurrent subscriptions, each on its
 * own key (no contention): {@link ReactiveLockTemplate#executeLocked} with work that completes at once; Redisson's
 * {@code RLockReactive} {@code tryLock(0, lease)} then {@code unlock}; and, for scale, the synchronous
 * {@link LockTemplate#executeLocked} with 16 threads. An operation is one cycle; a reactive invocation runs
 * {@value #BATCH} cycles, {@value #PER_SUBSCRIPTION} one after the other in each subscription.
 *
 * <pre>java -jar benchmarks/target/benchmarks.jar ReactiveRedisLock</pre>
 *
 * Redis: {@code DISTLOCK_TEST_REDIS=host:port}, else a {@code redis-server} child process per fork.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 2, time = 3)
@Measurement(iterations = 3, time = 3)
@Fork(value = 1, jvmArgsAppend = "-Xmx1g")
public class ReactiveRedisLockBenchmark {

    static final int SUBSCRIPTIONS = 64;
    static final int PER_SUBSCRIPTION = 20;
    static final int BATCH = SUBSCRIPTIONS * PER_SUBSCRIPTION;
    private static final int LEASE_SECONDS = 30;
    private static final LockOptions TRY_ONCE = LockOptions.builder().expire(Duration.ofSeconds(LEASE_SECONDS))
            .build();

    private RedisTestServer server;
    private LettuceConnectionFactory connectionFactory;
    private LockTemplate template;
    private ReactiveLockTemplate reactive;
    private RedissonClient redisson;
    private RedissonReactiveClient redissonReactive;
    private final String[] keys = new String[SUBSCRIPTIONS];
    private final AtomicInteger threadIds = new AtomicInteger();

    @Setup(Level.Trial)
    public void start() {
        BenchmarkSetup.quietLogging();
        BenchmarkSetup.Redis redis = BenchmarkSetup.Redis.start();
        server = redis.server();
        String host = redis.host();
        int port = redis.port();
        connectionFactory = new LettuceConnectionFactory(new RedisStandaloneConfiguration(host, port),
                LettuceClientConfiguration.builder().commandTimeout(Duration.ofSeconds(10)).build());
        connectionFactory.afterPropertiesSet();
        connectionFactory.start();
        template = new LockTemplate(new DistributedLockClient(Map.of("redis", new RedisLockStore(connectionFactory)),
                "redis", LockKeyNamespace.of("bench")));
        reactive = new ReactiveLockTemplate(template);
        Config config = new Config();
        config.useSingleServer().setAddress("redis://" + host + ":" + port);
        redisson = Redisson.create(config);
        redissonReactive = redisson.reactive();
        for (int i = 0; i < SUBSCRIPTIONS; i++) {
            keys[i] = "reactive-" + i + "-" + UUID.randomUUID();
        }
    }

    @TearDown(Level.Trial)
    public void stop() {
        redisson.shutdown();
        template.watchdog().close();
        connectionFactory.destroy();
        if (server != null) {
            server.close();
        }
    }

    /** One key per benchmark thread, for the synchronous path. */
    @State(Scope.Thread)
    public static class PerThread {
        String resource;

        @Setup(Level.Trial)
        public void setUp(ReactiveRedisLockBenchmark benchmark) {
            resource = "sync-" + benchmark.threadIds.incrementAndGet() + "-" + UUID.randomUUID();
        }
    }

    @Benchmark
    @Threads(1)
    @OperationsPerInvocation(BATCH)
    public Integer distlockReactive_64() {
        return Flux.range(0, SUBSCRIPTIONS).flatMap(slot -> Flux.range(0, PER_SUBSCRIPTION)
                .concatMap(i -> reactive.executeLocked(keys[slot], TRY_ONCE, lock -> Mono.just(i))),
                SUBSCRIPTIONS).blockLast();
    }

    @Benchmark
    @Threads(1)
    @OperationsPerInvocation(BATCH)
    public Void redissonReactive_64() {
        return Flux.range(0, SUBSCRIPTIONS).flatMap(slot -> {
            RLockReactive lock = redissonReactive.getLock("redisson-" + keys[slot]);
            long owner = slot + 1;
            return Flux.range(0, PER_SUBSCRIPTION).concatMap(i -> lock.tryLock(0, LEASE_SECONDS, TimeUnit.SECONDS,
                    owner).flatMap(acquired -> {
                        if (!acquired) {
                            return Mono.error(new IllegalStateException("redisson: not acquired " + keys[slot]));
                        }
                        return lock.unlock(owner);
                    }));
        }, SUBSCRIPTIONS).blockLast();
    }

    @Benchmark
    @Threads(16)
    public Integer distlockSync_16(PerThread thread) {
        return template.executeLocked(thread.resource, TRY_ONCE, lock -> 1);
    }
}
