package io.github.distlock.benchmarks;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import io.github.distlock.api.LockStatus;
import io.github.distlock.store.redis.RedisLockStore;
import io.github.distlock.testsupport.RedisTestServer;
import io.lettuce.core.LettuceFutures;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisFuture;
import io.lettuce.core.RedisURI;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.SetArgs;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.async.RedisAsyncCommands;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import io.lettuce.core.codec.ByteArrayCodec;
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

import org.springframework.data.redis.connection.RedisConnection;
import org.springframework.data.redis.connection.RedisStandaloneConfiguration;
import org.springframework.data.redis.connection.lettuce.LettuceConnection;
import org.springframework.data.redis.connection.lettuce.LettuceClientConfiguration;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;

/**
 * What fencing tokens cost on Redis. TryLock (plain or fenced) is now one script that also advances the token, so the
 * baseline is the previous commands: {@code SET key owner NX PX} and the previous unlock script ({@code GET},
 * {@code DEL}, {@code PUBLISH}), sent the way the previous store sent them: Lettuce's asynchronous API, awaited, on
 * the connection factory's shared connection, the one the store uses. {@code fencedVsPrevious_1} alternates the
 * cycles in one loop, so that a loaded machine slows them alike: the ratio of its {@code fencedNanos} to
 * {@code previousNanos} is the cost. It also times the previous commands on a plain Lettuce connection of their own
 * ({@code ownConnectionNanos}): that differs from {@code previousNanos} by the connection factory's client settings
 * alone, not by fencing, and sets the scale of what is noise.
 *
 * <pre>java -jar benchmarks/target/benchmarks.jar RedisFencingCost</pre>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 2, time = 3)
@Measurement(iterations = 3, time = 3)
@Fork(value = 1, jvmArgsAppend = "-Xmx1g")
public class RedisFencingCostBenchmark {

    private static final long LEASE_MILLIS = 30_000;
    private static final long TIMEOUT_MILLIS = 10_000;
    /** The unlock script before fencing tokens (commit 8732a9c), verbatim. */
    private static final byte[] PREVIOUS_UNLOCK = """
            local holder = redis.call('GET', KEYS[1])
            if not holder then return 0 end
            if holder ~= ARGV[1] then return 2 end
            redis.call('DEL', KEYS[1])
            redis.pcall('PUBLISH', 'distlock:released', KEYS[1])
            return 1
            """.getBytes(StandardCharsets.UTF_8);

    private RedisTestServer server;
    private LettuceConnectionFactory connectionFactory;
    private RedisLockStore store;
    private RedisClient previousClient;
    private StatefulRedisConnection<byte[], byte[]> previousConnection;
    private RedisAsyncCommands<byte[], byte[]> ownConnection;
    private RedisClusterAsyncCommands<byte[], byte[]> shared;
    private String previousUnlockSha;
    private final AtomicInteger threadIds = new AtomicInteger();

    @Setup(Level.Trial)
    public void start() {
        BenchmarkSetup.quietLogging();
        server = RedisTestServer.startLocalProcess();
        connectionFactory = new LettuceConnectionFactory(new RedisStandaloneConfiguration(server.host(),
                server.port()), LettuceClientConfiguration.builder().commandTimeout(Duration.ofSeconds(10)).build());
        connectionFactory.afterPropertiesSet();
        connectionFactory.start();
        store = new RedisLockStore(connectionFactory);
        previousClient = RedisClient.create(RedisURI.create(server.host(), server.port()));
        previousConnection = previousClient.connect(ByteArrayCodec.INSTANCE);
        ownConnection = previousConnection.async();
        previousUnlockSha = await(ownConnection.scriptLoad(PREVIOUS_UNLOCK));
        try (RedisConnection connection = connectionFactory.getConnection()) {
            shared = ((LettuceConnection) connection).getNativeConnection();
        }
    }

    @TearDown(Level.Trial)
    public void stop() {
        store.close();
        connectionFactory.destroy();
        previousConnection.close();
        previousClient.shutdown();
        server.close();
    }

    @State(Scope.Thread)
    public static class PerThread {
        String key;
        byte[] previousKey;
        String owner;
        byte[] ownerBytes;

        @Setup(Level.Trial)
        public void setUp(RedisFencingCostBenchmark benchmark) {
            key = "fenced-" + benchmark.threadIds.incrementAndGet() + "-" + UUID.randomUUID();
            previousKey = ("previous-" + key).getBytes(StandardCharsets.UTF_8);
            owner = UUID.randomUUID().toString();
            ownerBytes = owner.getBytes(StandardCharsets.UTF_8);
        }
    }

    @Benchmark
    @Threads(1)
    public long fenced_1(PerThread thread) {
        return fencedCycle(thread);
    }

    @Benchmark
    @Threads(16)
    public long fenced_16(PerThread thread) {
        return fencedCycle(thread);
    }

    @Benchmark
    @Threads(1)
    public long previous_1(PerThread thread) {
        return previousCycle(shared, thread);
    }

    @Benchmark
    @Threads(16)
    public long previous_16(PerThread thread) {
        return previousCycle(shared, thread);
    }

    /** Both cycles alternately; see the class comment. */
    @Benchmark
    @Threads(1)
    public void fencedVsPrevious_1(PerThread thread, Times times) {
        long start = System.nanoTime();
        previousCycle(shared, thread);
        long between = System.nanoTime();
        fencedCycle(thread);
        long end = System.nanoTime();
        previousCycle(ownConnection, thread);
        long last = System.nanoTime();
        times.previousNanos += between - start;
        times.fencedNanos += end - between;
        times.ownConnectionNanos += last - end;
    }

    @State(Scope.Thread)
    @AuxCounters(AuxCounters.Type.EVENTS)
    public static class Times {
        public long previousNanos;
        public long fencedNanos;
        public long ownConnectionNanos;

        @Setup(Level.Iteration)
        public void reset() {
            previousNanos = 0;
            fencedNanos = 0;
            ownConnectionNanos = 0;
        }
    }

    private long fencedCycle(PerThread thread) {
        long token = store.tryLockFenced(thread.key, thread.owner, 30);
        if (token <= 0) {
            throw new IllegalStateException("fenced: not acquired " + thread.key);
        }
        if (store.unlock(thread.key, thread.owner) != LockStatus.SUCCESS) {
            throw new IllegalStateException("fenced: not released " + thread.key);
        }
        return token;
    }

    private long previousCycle(RedisClusterAsyncCommands<byte[], byte[]> previous, PerThread thread) {
        if (!"OK".equals(await(previous.set(thread.previousKey, thread.ownerBytes,
                SetArgs.Builder.nx().px(LEASE_MILLIS))))) {
            throw new IllegalStateException("previous: not acquired");
        }
        Long status = await(previous.evalsha(previousUnlockSha, ScriptOutputType.INTEGER,
                new byte[][] {thread.previousKey}, thread.ownerBytes));
        if (status != 1) {
            throw new IllegalStateException("previous: not released");
        }
        return status;
    }

    private static <T> T await(RedisFuture<T> future) {
        return LettuceFutures.awaitOrCancel(future, TIMEOUT_MILLIS, TimeUnit.MILLISECONDS);
    }
}
