package io.github.distlock.grpc;

import java.lang.reflect.Proxy;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

import org.apache.commons.logging.Log;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** At most one line per cause per interval, with the count of those left out, on a clock the test moves. */
class FailureLogTest {

    private final List<String> lines = new ArrayList<>();
    private final AtomicLong now = new AtomicLong(1_000);
    private final FailureLog log = new FailureLog(recordingLog(), Duration.ofSeconds(60), now::get);

    @Test
    void oneLinePerCausePerIntervalThenTheCountOfThoseLeftOut() {
        for (int i = 0; i < 5; i++) {
            log.warn("redis|Timeout", () -> "redis timed out");
        }
        log.warn("etcd|Refused", () -> "etcd refused");
        assertThat(lines).containsExactly("WARN redis timed out", "WARN etcd refused");

        now.addAndGet(Duration.ofSeconds(59).toNanos());
        log.warn("redis|Timeout", () -> "redis timed out");
        assertThat(lines).hasSize(2);

        now.addAndGet(Duration.ofSeconds(1).toNanos());
        log.warn("redis|Timeout", () -> "redis timed out");
        log.warn("redis|Timeout", () -> "redis timed out");
        assertThat(lines).containsExactly("WARN redis timed out", "WARN etcd refused",
                "WARN redis timed out (and 5 more like it since the previous such line, at most one per 60s)");

        log.error("unexpected|NPE", () -> "boom", new NullPointerException());
        log.error("unexpected|NPE", () -> "boom", new NullPointerException());
        assertThat(lines).last().isEqualTo("ERROR boom");
        assertThat(lines).hasSize(4);
    }

    @Test
    void aZeroIntervalLogsEveryFailure() {
        FailureLog everything = new FailureLog(recordingLog(), Duration.ZERO, now::get);
        for (int i = 0; i < 3; i++) {
            everything.warn("c", () -> "failed");
        }
        assertThat(lines).containsExactly("WARN failed", "WARN failed", "WARN failed");
    }

    /** A commons-logging Log, all levels on, that records warn and error lines. */
    private Log recordingLog() {
        return (Log) Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[] {Log.class},
                (proxy, method, args) -> {
                    String name = method.getName();
                    if (name.startsWith("is")) {
                        return true;
                    }
                    if (name.equals("warn") || name.equals("error")) {
                        lines.add(name.toUpperCase() + " " + args[0]);
                    }
                    return null;
                });
    }
}
