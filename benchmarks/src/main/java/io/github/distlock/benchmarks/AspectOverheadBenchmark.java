package io.github.distlock.benchmarks;

import java.util.concurrent.TimeUnit;

import io.github.distlock.annotation.DistributedLock;
import io.github.distlock.autoconfigure.DistributedLockAutoConfiguration;
import io.github.distlock.core.LockWatchdog;
import io.github.distlock.store.inmemory.InMemoryLockStoreAutoConfiguration;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.ImportAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * What {@code @DistributedLock} adds to a call: the same method with and without the annotation, on the in-memory
 * store (so the figure is the library's own cost: owner UUID, key, TryLock, the lock handed to the renewal watchdog
 * and taken back, Unlock, metrics), in one Spring context. Renewal is on, as by default.
 *
 * <pre>java -jar benchmarks/target/benchmarks.jar AspectOverhead</pre>
 *
 * Overhead per call = {@code annotated*} minus {@code plain}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = "-Xmx1g")
public class AspectOverheadBenchmark {

    /** With a Micrometer registry (as with Actuator), or without metrics. */
    @Param({"true", "false"})
    public boolean metrics;

    private ConfigurableApplicationContext context;
    private Work locked;
    private Work plain;
    private long orderId;

    @Setup(Level.Trial)
    public void start() {
        context = new SpringApplicationBuilder(metrics ? WithMetrics.class : WithoutMetrics.class)
                .web(WebApplicationType.NONE)
                .properties("spring.main.banner-mode=off", "logging.level.root=warn",
                        "spring.application.name=bench")
                .run();
        if (!context.getBean(LockWatchdog.class).isRenewalEnabled()) {
            throw new IllegalStateException("Renewal must be on: its scheduling is part of the cost measured");
        }
        locked = context.getBean("locked", Work.class);
        plain = context.getBean("plain", Work.class);
    }

    @TearDown(Level.Trial)
    public void stop() {
        context.close();
    }

    @Benchmark
    public long plain() {
        return plain.constantKey(++orderId);
    }

    @Benchmark
    public long annotatedConstantKey() {
        return locked.constantKey(++orderId);
    }

    @Benchmark
    public long annotatedSpelKey() {
        return locked.spelKey(++orderId);
    }

    /** The same body with or without the lock. */
    public static class Work {
        public long constantKey(long orderId) {
            return orderId * 31 + 7;
        }

        public long spelKey(long orderId) {
            return orderId * 31 + 7;
        }
    }

    public static class LockedWork extends Work {
        @Override
        @DistributedLock
        public long constantKey(long orderId) {
            return orderId * 31 + 7;
        }

        @Override
        @DistributedLock(key = "'order:' + #orderId")
        public long spelKey(long orderId) {
            return orderId * 31 + 7;
        }
    }

    @Configuration(proxyBeanMethods = false)
    @ImportAutoConfiguration({DistributedLockAutoConfiguration.class, InMemoryLockStoreAutoConfiguration.class})
    public static class WithoutMetrics {
        @Bean
        Work locked() {
            return new LockedWork();
        }

        @Bean
        Work plain() {
            return new Work();
        }
    }

    @Configuration(proxyBeanMethods = false)
    public static class WithMetrics extends WithoutMetrics {
        @Bean
        MeterRegistry meterRegistry() {
            return new SimpleMeterRegistry();
        }
    }
}
