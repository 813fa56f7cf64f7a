package io.github.distlock.metrics;

import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;

import io.micrometer.observation.ObservationRegistry;

/**
 * The recorders of one {@link LockMetrics}, made once per source and store and shared by every lock path (the lock
 * template, {@code @DistributedLock}, the gRPC service), so no path keeps a cache of its own.
 *
 * <p>A path takes its {@link #forSource} view once and asks it per event: one map lookup by store name, no
 * allocation. Ask only for configured stores' names: each name gets meters of its own.
 *
 * <p>With an {@link ObservationRegistry}, each acquisition of the lock template is observed too
 * ({@link Source#observe}, {@link LockObservationDocumentation}).
 */
public final class LockRecorders {

    private final LockMetrics metrics;
    private final Observations observations;
    private final Map<String, Source> sources = new ConcurrentHashMap<>();

    /** Metrics only: nothing is observed. */
    public LockRecorders(LockMetrics metrics) {
        this(metrics, ObservationRegistry.NOOP, null, null);
    }

    /**
     * @param observations      where acquisitions and holds are observed ({@link ObservationRegistry#NOOP}: not at
     *                          all)
     * @param acquireConvention replaces {@link DefaultLockAcquireObservationConvention}; may be {@code null}
     * @param holdConvention    replaces {@link DefaultLockHoldObservationConvention}; may be {@code null}
     */
    public LockRecorders(LockMetrics metrics, ObservationRegistry observations,
            LockAcquireObservationConvention acquireConvention, LockHoldObservationConvention holdConvention) {
        this.metrics = Objects.requireNonNull(metrics, "metrics");
        this.observations = new Observations(Objects.requireNonNull(observations, "observations"),
                acquireConvention, holdConvention);
    }

    /** The metrics the recorders record to. */
    public LockMetrics metrics() {
        return metrics;
    }

    /** The recorders of one source ({@link LockMetrics#SOURCE_ANNOTATION}, ...); keep it. */
    public Source forSource(String source) {
        return sources.computeIfAbsent(source, Source::new);
    }

    /** The recorders of one source, by store name. */
    public final class Source {

        private final String source;
        private final Map<String, LockMetrics.Recorder> byStore = new ConcurrentHashMap<>();

        private Source(String source) {
            this.source = source;
        }

        /** The recorder of {@code storeName} (a configured store's name, the default store resolved). */
        public LockMetrics.Recorder recorder(String storeName) {
            LockMetrics.Recorder recorder = byStore.get(storeName);
            return recorder != null ? recorder
                    : byStore.computeIfAbsent(storeName, name -> metrics.recorder(name, source));
        }

        public String source() {
            return source;
        }

        /**
         * Starts observing an acquisition on this thread (see {@link LockObservation}); {@link LockObservation#NONE}
         * when the registry is a no-op one.
         *
         * @param storeName a configured store's name (the default store resolved)
         */
        public LockObservation observe(String storeName, String resourceId, String owner) {
            return observations.registry.isNoop() ? LockObservation.NONE
                    : new LockObservation(observations, new LockObservationContext(storeName, resourceId, source,
                            owner));
        }
    }

    /** The registry and the conventions of the observations. */
    record Observations(ObservationRegistry registry, LockAcquireObservationConvention acquireConvention,
            LockHoldObservationConvention holdConvention) {

        private static final LockAcquireObservationConvention DEFAULT_ACQUIRE =
                new DefaultLockAcquireObservationConvention();
        private static final LockHoldObservationConvention DEFAULT_HOLD = new DefaultLockHoldObservationConvention();

        LockAcquireObservationConvention defaultAcquireConvention() {
            return DEFAULT_ACQUIRE;
        }

        LockHoldObservationConvention defaultHoldConvention() {
            return DEFAULT_HOLD;
        }
    }
}
