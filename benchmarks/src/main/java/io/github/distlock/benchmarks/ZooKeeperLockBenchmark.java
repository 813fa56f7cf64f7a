package io.github.distlock.benchmarks;

import java.io.File;
import java.nio.file.Files;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import io.github.distlock.api.LockStatus;
import io.github.distlock.store.zookeeper.ZooKeeperLockStore;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.framework.recipes.locks.InterProcessMutex;
import org.apache.curator.retry.ExponentialBackoffRetry;
import org.apache.curator.test.InstanceSpec;
import org.apache.curator.test.TestingServer;
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

/**
 * Lock + unlock cycles per second on one ZooKeeper server (Curator's in-process {@link TestingServer}, started once
 * for the run): {@link ZooKeeperLockStore} against Curator's {@link InterProcessMutex}, each on its own
 * {@link CuratorFramework} (one session each), at 1 and 8 threads. Threads never share a key, so there is no
 * contention: the figure is the cost of taking and releasing a free lock.
 *
 * <ul>
 *   <li>{@code *NewKey}: every cycle locks a key never used before, as an application locking order ids does. The
 *       mutex is new per key, as it must be for unbounded keys (caching one per order id would leak).</li>
 *   <li>{@code *SameKey}: each thread locks its own key again and again; the mutex is created once per thread and
 *       reused, the best case for Curator (its parent node already exists).</li>
 * </ul>
 *
 * <pre>java -jar benchmarks/target/benchmarks.jar ZooKeeperLock</pre>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 3)
@Measurement(iterations = 5, time = 3)
@Fork(value = 1, jvmArgsAppend = "-Xmx1g")
public class ZooKeeperLockBenchmark {

    private static final String STORE_ROOT = "/bench-distlock";
    private static final String MUTEX_ROOT = "/bench-curator";

    private TestingServer server;
    private CuratorFramework storeClient;
    private CuratorFramework mutexClient;
    ZooKeeperLockStore store;

    @Setup(Level.Trial)
    public void start() throws Exception {
        // ZooKeeper logs every session at INFO; keep the benchmark output readable.
        ((ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME))
                .setLevel(ch.qos.logback.classic.Level.WARN);
        File dir = Files.createTempDirectory("zookeeper-bench").toFile();
        server = new TestingServer(new InstanceSpec(dir, InstanceSpec.getRandomPort(), -1, -1, true, -1, -1, -1,
                Map.of(), "127.0.0.1"), true);
        storeClient = client();
        mutexClient = client();
        store = new ZooKeeperLockStore(storeClient);
    }

    private CuratorFramework client() throws InterruptedException {
        CuratorFramework client = CuratorFrameworkFactory.newClient(server.getConnectString(), 30_000, 15_000,
                new ExponentialBackoffRetry(100, 3));
        client.start();
        client.blockUntilConnected();
        return client;
    }

    @TearDown(Level.Trial)
    public void stop() throws Exception {
        store.close();
        storeClient.close();
        mutexClient.close();
        server.close();
    }

    /** Per-thread keys: a unique prefix, a counter for new keys, and the thread's reused key and mutex. */
    @State(Scope.Thread)
    public static class ThreadKeys {
        final String prefix = UUID.randomUUID().toString();
        long counter;
        String sameKey;
        InterProcessMutex sameMutex;

        @Setup(Level.Trial)
        public void start(ZooKeeperLockBenchmark benchmark) {
            sameKey = prefix + "-same";
            sameMutex = new InterProcessMutex(benchmark.mutexClient, MUTEX_ROOT + "/" + sameKey);
        }

        String nextKey() {
            return prefix + "-" + (++counter);
        }
    }

    private void storeCycle(String key, String owner) {
        if (!store.tryLock(key, owner, 30)) {
            throw new IllegalStateException("free key " + key + " was refused");
        }
        LockStatus status = store.unlock(key, owner);
        if (status != LockStatus.SUCCESS) {
            throw new IllegalStateException("unlock of " + key + " answered " + status);
        }
    }

    private static void mutexCycle(InterProcessMutex mutex) throws Exception {
        if (!mutex.acquire(10, TimeUnit.SECONDS)) {
            throw new IllegalStateException("free mutex was not acquired");
        }
        mutex.release();
    }

    @Benchmark
    @Threads(1)
    public void distlockNewKey1Thread(ThreadKeys keys) {
        storeCycle(keys.nextKey(), keys.prefix);
    }

    @Benchmark
    @Threads(1)
    public void curatorMutexNewKey1Thread(ThreadKeys keys) throws Exception {
        mutexCycle(new InterProcessMutex(mutexClient, MUTEX_ROOT + "/" + keys.nextKey()));
    }

    @Benchmark
    @Threads(8)
    public void distlockNewKey8Threads(ThreadKeys keys) {
        storeCycle(keys.nextKey(), keys.prefix);
    }

    @Benchmark
    @Threads(8)
    public void curatorMutexNewKey8Threads(ThreadKeys keys) throws Exception {
        mutexCycle(new InterProcessMutex(mutexClient, MUTEX_ROOT + "/" + keys.nextKey()));
    }

    @Benchmark
    @Threads(1)
    public void distlockSameKey1Thread(ThreadKeys keys) {
        storeCycle(keys.sameKey, keys.prefix);
    }

    @Benchmark
    @Threads(1)
    public void curatorMutexSameKey1Thread(ThreadKeys keys) throws Exception {
        mutexCycle(keys.sameMutex);
    }

    @Benchmark
    @Threads(8)
    public void distlockSameKey8Threads(ThreadKeys keys) {
        storeCycle(keys.sameKey, keys.prefix);
    }

    @Benchmark
    @Threads(8)
    public void curatorMutexSameKey8Threads(ThreadKeys keys) throws Exception {
        mutexCycle(keys.sameMutex);
    }
}
