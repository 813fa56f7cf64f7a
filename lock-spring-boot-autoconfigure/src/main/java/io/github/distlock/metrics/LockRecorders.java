package io.github.distlock.metrics;

import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The recorders of one {@link LockMetrics}, made once per source and store and shared by every lock path (the lock
 * template, {@code @DistributedLock}, the gRPC service), so no path keeps a cache of its own.
 *
 * <p>A path takes its {@link #forSource} view once and asks it per event: one map lookup by store name, no
 * allocation. Ask only for configured stores' names: each name gets meters of its own.
 */
public final class LockRecorders {

    private final LockMetrics metrics;
    private final Map<String, Source> sources = new ConcurrentHashMap<>();

    public LockRecorders(LockMetrics metrics) {
        this.metrics = Objects.requireNonNull(metrics, "metrics");
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
    }
}
