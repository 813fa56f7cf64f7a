package io.github.distlock.grpc;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

import org.apache.commons.logging.Log;

/**
 * Logs failing requests at most once per cause per interval: an outage fails every request the same way, and a log
 * line per request would flood the log (and, on the server's event loop, slow every connection). The first failure
 * of a cause is logged at once; later ones within the interval are counted, and the count is added to the next line
 * of that cause. A cause is a short key chosen by the caller (store and exception class, say), not a message.
 */
final class FailureLog {

    /** Causes remembered at once; beyond it the windows start over (an attacker choosing causes gains nothing). */
    private static final int MAX_CAUSES = 1024;

    private final Log logger;
    private final long intervalNanos;
    private final String intervalText;
    private final LongSupplier nanoClock;
    private final Map<String, Window> windows = new ConcurrentHashMap<>();

    /**
     * @param logger    where to log
     * @param interval  at most one line per cause within it; zero logs every failure
     * @param nanoClock monotonic time in nanoseconds ({@code System::nanoTime}; replaceable in tests)
     */
    FailureLog(Log logger, Duration interval, LongSupplier nanoClock) {
        this.logger = logger;
        this.intervalNanos = interval.toNanos();
        this.intervalText = interval.toMillis() % 1000 == 0 ? interval.toSeconds() + "s" : interval.toMillis() + "ms";
        this.nanoClock = nanoClock;
    }

    /** Logs {@code message} at WARN unless {@code cause} was logged less than an interval ago. */
    void warn(String cause, Supplier<String> message) {
        log(cause, message, null, false);
    }

    /** Logs {@code message} and {@code failure}'s stack trace at ERROR unless {@code cause} was logged recently. */
    void error(String cause, Supplier<String> message, Throwable failure) {
        log(cause, message, failure, true);
    }

    private void log(String cause, Supplier<String> message, Throwable failure, boolean error) {
        if (!(error ? logger.isErrorEnabled() : logger.isWarnEnabled())) {
            return;
        }
        if (windows.size() >= MAX_CAUSES && !windows.containsKey(cause)) {
            windows.clear();
        }
        long now = nanoClock.getAsLong();
        Window window = windows.computeIfAbsent(cause, key -> new Window(now - intervalNanos));
        long opensAt = window.opensAt.get();
        if (now - opensAt < 0 || !window.opensAt.compareAndSet(opensAt, now + intervalNanos)) {
            window.suppressed.incrementAndGet();
            return;
        }
        long suppressed = window.suppressed.getAndSet(0);
        String line = suppressed == 0 ? message.get() : message.get() + " (and " + suppressed
                + " more like it since the previous such line, at most one per " + intervalText + ")";
        if (error) {
            logger.error(line, failure);
        } else {
            logger.warn(line);
        }
    }

    private static final class Window {
        /** When the next line of this cause may be logged. */
        final AtomicLong opensAt;
        final AtomicLong suppressed = new AtomicLong();

        Window(long opensAt) {
            this.opensAt = new AtomicLong(opensAt);
        }
    }
}
