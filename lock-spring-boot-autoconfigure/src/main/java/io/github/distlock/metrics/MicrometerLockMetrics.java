package io.github.distlock.metrics;

import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import io.github.distlock.api.LockStatus;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

/**
 * Lock metrics in Micrometer. Meters, all tagged with {@code store}:
 * <ul>
 *   <li>{@code distributed.lock.acquire} (timer; tags {@code source}, {@code result} = acquired, not_acquired,
 *       error): time spent taking a lock, waiting included;</li>
 *   <li>{@code distributed.lock.held} (timer; tag {@code source}): how long locks were held;</li>
 *   <li>{@code distributed.lock.unlock} (counter; tags {@code source}, {@code status} = success, lock_unexist,
 *       lock_belong_to_others, internal_error, error): Unlock outcomes; for annotated methods anything but
 *       success means the lease ran out while the lock was held;</li>
 *   <li>{@code distributed.lock.keepalive} (counter; tags {@code source}, {@code status} as for unlock):
 *       LockKeepAlive outcomes;</li>
 *   <li>{@code distributed.lock.active} (gauge): locks this instance holds now;</li>
 *   <li>{@code distributed.lock.lost} (counter; tag {@code source}, {@link LockMetrics#SOURCE_STORE} for locks a
 *       store reported lost that no handle held): locks lost while held;</li>
 *   <li>{@code distributed.lock.skipped} (counter; tag {@code source}): calls skipped because the lock was not
 *       acquired ({@code onFailure = SKIP}, the template's fallback).</li>
 * </ul>
 * Meters are created once per store and source, so recording costs no lookups. Request-per-call sources (gRPC)
 * record acquire and unlock outcomes only: they feed neither {@code distributed.lock.held} nor the gauge, because
 * which of their locks are still held is not known here (see {@link LockMetrics.Recorder#tryLockAnswered}).
 */
public class MicrometerLockMetrics implements LockMetrics {

    private final MeterRegistry registry;
    private final Map<String, Recorder> recorders = new ConcurrentHashMap<>();
    private final Map<String, AtomicInteger> active = new ConcurrentHashMap<>();
    private final Map<String, Counter> lostWithoutHandle = new ConcurrentHashMap<>();

    public MicrometerLockMetrics(MeterRegistry registry) {
        this.registry = registry;
    }

    @Override
    public Recorder recorder(String storeName, String source) {
        return recorders.computeIfAbsent(storeName + '\u0000' + source, k -> new MicrometerRecorder(storeName, source));
    }

    @Override
    public void storeReportedLoss(String storeName) {
        lostWithoutHandle.computeIfAbsent(storeName, name -> lostCounter(name, SOURCE_STORE)).increment();
    }

    private Counter lostCounter(String store, String source) {
        return Counter.builder("distributed.lock.lost").description("Locks lost while they were held")
                .tags("store", store, "source", source).register(registry);
    }

    private AtomicInteger activeGauge(String storeName) {
        return active.computeIfAbsent(storeName, name -> {
            AtomicInteger count = new AtomicInteger();
            Gauge.builder("distributed.lock.active", count, AtomicInteger::get)
                    .description("Locks held by this instance now")
                    .tag("store", name)
                    .register(registry);
            return count;
        });
    }

    private final class MicrometerRecorder implements Recorder {

        private final Timer acquired;
        private final Timer notAcquired;
        private final Timer acquireFailed;
        private final Timer held;
        private final Map<LockStatus, Counter> unlocked = new EnumMap<>(LockStatus.class);
        private final Counter unlockFailed;
        private final Map<LockStatus, Counter> keptAlive = new EnumMap<>(LockStatus.class);
        private final Counter keepAliveFailed;
        private final Counter lost;
        private final Counter skipped;
        private final AtomicInteger activeLocks;

        MicrometerRecorder(String store, String source) {
            acquired = acquireTimer(store, source, "acquired");
            notAcquired = acquireTimer(store, source, "not_acquired");
            acquireFailed = acquireTimer(store, source, "error");
            held = Timer.builder("distributed.lock.held").description("How long locks were held")
                    .tags("store", store, "source", source).register(registry);
            for (LockStatus status : LockStatus.values()) {
                unlocked.put(status, unlockCounter(store, source, status.name().toLowerCase()));
            }
            unlockFailed = unlockCounter(store, source, "error");
            for (LockStatus status : LockStatus.values()) {
                keptAlive.put(status, keepAliveCounter(store, source, status.name().toLowerCase()));
            }
            keepAliveFailed = keepAliveCounter(store, source, "error");
            lost = lostCounter(store, source);
            skipped = Counter.builder("distributed.lock.skipped")
                    .description("Calls skipped because the lock was not acquired")
                    .tags("store", store, "source", source).register(registry);
            activeLocks = activeGauge(store);
        }

        private Timer acquireTimer(String store, String source, String result) {
            return Timer.builder("distributed.lock.acquire").description("Time taken to acquire a lock, waiting included")
                    .tags("store", store, "source", source, "result", result).register(registry);
        }

        private Counter unlockCounter(String store, String source, String status) {
            return Counter.builder("distributed.lock.unlock").description("Unlock outcomes")
                    .tags("store", store, "source", source, "status", status).register(registry);
        }

        private Counter keepAliveCounter(String store, String source, String status) {
            return Counter.builder("distributed.lock.keepalive").description("LockKeepAlive outcomes")
                    .tags("store", store, "source", source, "status", status).register(registry);
        }

        @Override
        public void acquired(long nanos) {
            acquired.record(nanos, TimeUnit.NANOSECONDS);
            activeLocks.incrementAndGet();
        }

        @Override
        public void notAcquired(long nanos) {
            notAcquired.record(nanos, TimeUnit.NANOSECONDS);
        }

        @Override
        public void acquireFailed(long nanos) {
            acquireFailed.record(nanos, TimeUnit.NANOSECONDS);
        }

        @Override
        public void released(LockStatus status, long heldNanos) {
            ended(heldNanos);
            unlocked.get(status).increment();
        }

        @Override
        public void releaseFailed(long heldNanos) {
            ended(heldNanos);
            unlockFailed.increment();
        }

        private void ended(long heldNanos) {
            activeLocks.decrementAndGet();
            held.record(heldNanos, TimeUnit.NANOSECONDS);
        }

        @Override
        public void releasedByKeepAlive(LockStatus status, long heldNanos) {
            ended(heldNanos);
            keptAlive.get(status).increment();
        }

        @Override
        public void lost() {
            lost.increment();
        }

        @Override
        public void skipped() {
            skipped.increment();
        }

        @Override
        public void tryLockAnswered(boolean success, long nanos) {
            (success ? acquired : notAcquired).record(nanos, TimeUnit.NANOSECONDS);
        }

        @Override
        public void unlockAnswered(LockStatus status) {
            unlocked.get(status).increment();
        }

        @Override
        public void unlockFailed() {
            unlockFailed.increment();
        }

        @Override
        public void keepAliveAnswered(LockStatus status) {
            keptAlive.get(status).increment();
        }

        @Override
        public void keepAliveFailed() {
            keepAliveFailed.increment();
        }
    }
}
