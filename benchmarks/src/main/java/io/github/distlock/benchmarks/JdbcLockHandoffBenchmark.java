package io.github.distlock.benchmarks;

import java.time.Duration;
import java.util.Arrays;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.locks.Lock;

import com.zaxxer.hikari.HikariDataSource;
import io.github.distlock.api.LockStatus;
import io.github.distlock.spi.LockStore;
import io.github.distlock.spi.ReleaseAwaitingLockStore;
import io.github.distlock.testsupport.JdbcTestServer;
import io.github.distlock.testsupport.PostgresTestServer;
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

import org.springframework.integration.jdbc.lock.DefaultLockRepository;
import org.springframework.integration.jdbc.lock.JdbcLockRegistry;

/**
 * Contended handoff on PostgreSQL: 8 threads, one key. Each call takes the lock, waiting as long as it must (TryLock,
 * and on refusal {@code awaitRelease} then TryLock again, as {@code @DistributedLock(waitTime)} does), releases it at
 * once, then spends {@value #THINK_MILLIS} ms outside the lock (so that the thread that just released does not
 * always take the lock straight back before a waiter can). Printed per iteration, as percentiles:
 * <ul>
 *   <li><em>handoff</em>: for every grant to a thread that had to wait, the time from the last release to that
 *       grant: how long a released lock stays free while someone waits for it;</li>
 *   <li><em>wait</em>: for every call, the time from its start to its grant (queueing behind the other seven
 *       included).</li>
 * </ul>
 * JMH's own figure is the time of a whole call, think time included.
 *
 * <ul>
 *   <li>{@code distlockNotify_8}: the store with LISTEN/NOTIFY (the default on PostgreSQL).</li>
 *   <li>{@code distlockPoll_8}: the same store with release notifications off: waiters poll every 100 ms (the
 *       default {@code poll-interval}) or wake at the lease's end.</li>
 *   <li>{@code springIntegration_8}: {@code JdbcLockRegistry.tryLock(10, SECONDS)}/{@code unlock}, one registry
 *       (client id) per thread, as separate instances would have; it polls every 100 ms.</li>
 * </ul>
 *
 * <pre>java -jar benchmarks/target/benchmarks.jar JdbcLockHandoffBenchmark</pre>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 2, time = 3)
@Measurement(iterations = 3, time = 5)
@Fork(value = 1, jvmArgsAppend = "-Xmx1g")
public class JdbcLockHandoffBenchmark {

    private static final int THREADS = 8;
    private static final int LEASE_SECONDS = 30;
    private static final Duration MAX_WAIT = Duration.ofSeconds(10);
    private static final long THINK_MILLIS = 2;

    private JdbcTestServer server;
    private HikariDataSource ourPool;
    private HikariDataSource integrationPool;
    private LockStore notifying;
    private LockStore polling;
    private final String key = "handoff-" + UUID.randomUUID();
    private final AtomicInteger threadIds = new AtomicInteger();

    /** When the key was last released, by {@link System#nanoTime()}. */
    private volatile long releasedAt;
    private final Samples handoffs = new Samples("handoff (release -> grant to a waiter)");
    private final Samples waits = new Samples("wait (call -> grant)");

    @Setup(Level.Trial)
    public void start() {
        BenchmarkSetup.quietLogging();
        server = PostgresTestServer.start();
        ourPool = JdbcLockBenchmark.pool(server, "distlock");
        integrationPool = JdbcLockBenchmark.pool(server, "spring-integration");
        notifying = JdbcLockBenchmark.jdbcStore(ourPool, true);
        polling = JdbcLockBenchmark.jdbcStore(ourPool, false);
        JdbcLockBenchmark.createIntegrationTable(integrationPool, "postgres");
    }

    @Setup(Level.Iteration)
    public void resetSamples() {
        handoffs.reset();
        waits.reset();
    }

    @TearDown(Level.Iteration)
    public void printSamples() {
        System.out.println();
        System.out.println(handoffs.summary());
        System.out.println(waits.summary());
    }

    @TearDown(Level.Trial)
    public void stop() throws Exception {
        ((AutoCloseable) notifying).close();
        ((AutoCloseable) polling).close();
        integrationPool.close();
        ourPool.close();
        server.close();
    }

    /** A thread's own Spring Integration registry, as a separate instance of the application would have. */
    @State(Scope.Thread)
    public static class PerThread {
        DefaultLockRepository repository;
        Lock registryLock;
        int id;

        @Setup(Level.Trial)
        public void setUp(JdbcLockHandoffBenchmark benchmark) {
            id = benchmark.threadIds.incrementAndGet();
            repository = JdbcLockBenchmark.integrationRepository(benchmark.integrationPool);
            registryLock = new JdbcLockRegistry(repository, Duration.ofSeconds(LEASE_SECONDS))
                    .obtain(benchmark.key);
        }

        @TearDown(Level.Trial)
        public void tearDown() {
            repository.close();
        }
    }

    @Benchmark
    @Threads(THREADS)
    public void distlockNotify_8() throws InterruptedException {
        cycle(notifying);
    }

    @Benchmark
    @Threads(THREADS)
    public void distlockPoll_8() throws InterruptedException {
        cycle(polling);
    }

    @Benchmark
    @Threads(THREADS)
    public void springIntegration_8(PerThread thread) throws InterruptedException {
        long start = System.nanoTime();
        if (!thread.registryLock.tryLock()) {
            if (!thread.registryLock.tryLock(MAX_WAIT.toMillis(), TimeUnit.MILLISECONDS)) {
                throw new IllegalStateException("JdbcLockRegistry did not get the lock within " + MAX_WAIT);
            }
            handoffs.record(System.nanoTime() - Math.max(releasedAt, start));
        }
        waits.record(System.nanoTime() - start);
        thread.registryLock.unlock();
        releasedAt = System.nanoTime();
        Thread.sleep(THINK_MILLIS);
    }

    private void cycle(LockStore store) throws InterruptedException {
        String owner = UUID.randomUUID().toString();
        long start = System.nanoTime();
        long deadline = start + MAX_WAIT.toNanos();
        boolean waited = false;
        while (!store.tryLock(key, owner, LEASE_SECONDS)) {
            waited = true;
            long remaining = deadline - System.nanoTime();
            if (remaining <= 0) {
                throw new IllegalStateException("Did not get the lock within " + MAX_WAIT);
            }
            ((ReleaseAwaitingLockStore) store).awaitRelease(key, Duration.ofNanos(remaining));
        }
        if (waited) {
            handoffs.record(System.nanoTime() - Math.max(releasedAt, start));
        }
        waits.record(System.nanoTime() - start);
        LockStatus status = store.unlock(key, owner);
        if (status != LockStatus.SUCCESS) {
            throw new IllegalStateException("Unlock answered " + status);
        }
        releasedAt = System.nanoTime();
        Thread.sleep(THINK_MILLIS);
    }

    /** Times of one iteration, in a fixed array (enough for any iteration here; more are not kept). */
    static final class Samples {
        private final String name;
        private final AtomicLongArray samples = new AtomicLongArray(1 << 20);
        private final AtomicInteger count = new AtomicInteger();

        Samples(String name) {
            this.name = name;
        }

        void reset() {
            count.set(0);
        }

        void record(long nanos) {
            int index = count.getAndIncrement();
            if (index < samples.length()) {
                samples.set(index, nanos);
            }
        }

        String summary() {
            int n = Math.min(count.get(), samples.length());
            if (n == 0) {
                return name + ": none";
            }
            long[] sorted = new long[n];
            for (int i = 0; i < n; i++) {
                sorted[i] = samples.get(i);
            }
            Arrays.sort(sorted);
            return String.format("%s: n=%d p50=%.2f ms p90=%.2f ms p99=%.2f ms max=%.2f ms", name, n, millis(sorted, 0.50), millis(sorted, 0.90), millis(sorted, 0.99),
                    sorted[n - 1] / 1e6);
        }

        private static double millis(long[] sorted, double quantile) {
            return sorted[(int) Math.min(sorted.length - 1, Math.floor(quantile * sorted.length))] / 1e6;
        }
    }
}
