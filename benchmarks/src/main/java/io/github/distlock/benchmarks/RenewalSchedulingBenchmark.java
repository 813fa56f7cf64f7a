package io.github.distlock.benchmarks;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

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
 * What a lock pays on its hot path for renewal, with the two designs for one shared renewal scheduler: scheduling a
 * renewal task in a {@link ScheduledThreadPoolExecutor} (remove-on-cancel) at acquisition and cancelling it at
 * release, or adding the lock to a concurrent set that one ticking thread walks, and removing it (what
 * {@code LockWatchdog} does). Both with 1,000 other locks held, whose renewals are not due during the run.
 *
 * <pre>java -jar benchmarks/target/benchmarks.jar RenewalScheduling -t 1   (and -t 2)</pre>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = "-Xmx1g")
@Threads(1)
public class RenewalSchedulingBenchmark {

    private static final int HELD = 1000;
    private static final Runnable RENEW = () -> {
    };

    private ScheduledThreadPoolExecutor executor;
    private final Set<Held> watched = ConcurrentHashMap.newKeySet();

    /** A held lock, hashed as {@code LockWatchdog}'s entries are (a random int, identity equality). */
    static final class Held {
        private final int hash = ThreadLocalRandom.current().nextInt();

        @Override
        public int hashCode() {
            return hash;
        }

        @Override
        public boolean equals(Object other) {
            return this == other;
        }
    }

    @Setup(Level.Trial)
    public void start() {
        executor = new ScheduledThreadPoolExecutor(2, runnable -> {
            Thread thread = new Thread(runnable, "renewal");
            thread.setDaemon(true);
            return thread;
        });
        executor.setRemoveOnCancelPolicy(true);
        for (int i = 0; i < HELD; i++) {
            executor.scheduleWithFixedDelay(RENEW, 10, 10, TimeUnit.MINUTES);
            watched.add(new Held());
        }
    }

    @TearDown(Level.Trial)
    public void stop() {
        executor.shutdownNow();
    }

    /** Schedule a fixed-delay renewal at acquisition, cancel it at release. */
    @Benchmark
    public boolean scheduledExecutor() {
        ScheduledFuture<?> renewal = executor.scheduleWithFixedDelay(RENEW, 10, 10, TimeUnit.SECONDS);
        return renewal.cancel(false);
    }

    /** Add the lock to the set the ticker walks at acquisition, remove it at release. */
    @Benchmark
    public boolean tickerSet() {
        Held held = new Held();
        watched.add(held);
        return watched.remove(held);
    }
}
