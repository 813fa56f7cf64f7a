package io.github.distlock.store.redis;

import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

import io.github.distlock.annotation.DistributedLock;
import io.github.distlock.annotation.OnFailure;
import io.github.distlock.api.LockOptions;
import io.github.distlock.autoconfigure.DistributedLockAutoConfiguration;
import io.github.distlock.core.LockTemplate;
import io.github.distlock.spi.LockStore;
import io.github.distlock.testsupport.RedisTestServer;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.ApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;
import org.springframework.scheduling.annotation.EnableScheduling;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.scheduling.concurrent.ThreadPoolTaskScheduler;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The README's recipe for scheduled jobs across instances, on one Redis: two application instances run the same
 * {@code @Scheduled(cron = "*&#47;2 * * * * *")} job of 20 ms with {@code @DistributedLock(onFailure = SKIP)}, one
 * instance's clock 600 ms ahead of the other's (late ticks on a loaded machine stay inside the 1 s). With {@code holdAtLeast = "1s"} each tick's job runs exactly once;
 * the same job without it runs twice a tick (the ahead instance's run is over when the other's tick fires), which
 * shows the test would catch it.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(90)
class ScheduledJobsAcrossInstancesTest {

    private static final long TICK_MILLIS = 2000;
    private static final int TICKS = 10;

    private RedisTestServer server;
    private LettuceConnectionFactory connectionA;
    private LettuceConnectionFactory connectionB;

    @BeforeAll
    void start() {
        server = RedisTestServer.start();
        connectionA = server.connectionFactory(Duration.ofSeconds(2));
        connectionB = server.connectionFactory(Duration.ofSeconds(2));
    }

    @AfterAll
    void stop() {
        for (LettuceConnectionFactory connection : new LettuceConnectionFactory[] {connectionA, connectionB}) {
            if (connection != null) {
                connection.destroy();
            }
        }
        if (server != null) {
            server.close();
        }
    }

    /** Runs per tick of each job, the tick read on the clock of the instance that ran it. */
    static final class Runs {
        final Map<String, Map<Long, AtomicInteger>> byJob = new ConcurrentHashMap<>();
        /** Every run, for the failure message: job, tick, and when (ms of the minute, true time). */
        final List<String> log = new CopyOnWriteArrayList<>();

        void ran(String job, Clock clock) {
            long tick = clock.millis() / TICK_MILLIS;
            log.add(job + " tick " + tick + " at " + System.currentTimeMillis() % 60_000);
            byJob.computeIfAbsent(job, name -> new ConcurrentSkipListMap<>())
                    .computeIfAbsent(tick, t -> new AtomicInteger()).incrementAndGet();
        }

        /** Runs of {@code job} in ticks from {@code first} to {@code last}, missing ticks as 0. */
        Map<Long, Integer> of(String job, long first, long last) {
            Map<Long, Integer> runs = new TreeMap<>();
            for (long tick = first; tick <= last; tick++) {
                AtomicInteger count = byJob.getOrDefault(job, Map.of()).get(tick);
                runs.put(tick, count == null ? 0 : count.get());
            }
            return runs;
        }
    }

    public static class Jobs {

        private final Runs runs;
        private final Clock clock;

        public Jobs(Runs runs, Clock clock) {
            this.runs = runs;
            this.clock = clock;
        }

        @Scheduled(cron = "*/2 * * * * *")
        @DistributedLock(key = "'report'", expire = "10s", holdAtLeast = "1s", onFailure = OnFailure.SKIP)
        public void report() throws InterruptedException {
            runs.ran("report", clock);
            Thread.sleep(20);
        }

        @Scheduled(cron = "*/2 * * * * *")
        @DistributedLock(key = "'unguarded'", expire = "10s", onFailure = OnFailure.SKIP)
        public void unguarded() throws InterruptedException {
            runs.ran("unguarded", clock);
            Thread.sleep(20);
        }
    }

    @Configuration(proxyBeanMethods = false)
    @EnableScheduling
    static class Scheduling {

        @Bean
        ThreadPoolTaskScheduler taskScheduler(Clock clock) {
            ThreadPoolTaskScheduler scheduler = new ThreadPoolTaskScheduler();
            scheduler.setPoolSize(2);
            scheduler.setClock(clock); // cron ticks fire by this instance's clock
            return scheduler;
        }
    }

    private ApplicationContextRunner instance(LettuceConnectionFactory connection, Runs runs, Clock clock) {
        return new ApplicationContextRunner()
                .withConfiguration(AutoConfigurations.of(DistributedLockAutoConfiguration.class))
                .withUserConfiguration(Scheduling.class)
                .withBean("redis", LockStore.class, () -> new RedisLockStore(connection))
                .withBean(Clock.class, () -> clock).withBean(Runs.class, () -> runs)
                .withBean(Jobs.class).withBean(SimpleMeterRegistry.class)
                .withPropertyValues("spring.application.name=jobs-app");
    }

    @Test
    void withHoldAtLeastEachTickRunsOnceAcrossTwoInstancesWhoseClocksAre600MsApart() {
        Runs runs = new Runs();
        Clock clockA = Clock.systemUTC();
        Clock clockB = Clock.offset(clockA, Duration.ofMillis(600));
        instance(connectionA, runs, clockA).run(contextA -> instance(connectionB, runs, clockB).run(contextB -> {
            // Warm both up (connection, class loading), so the first tick counted runs as fast as the others; it is
            // the first that the ahead instance B fires after now.
            for (ApplicationContext context : List.of(contextA, contextB)) {
                context.getBean(LockTemplate.class).acquire("warm-up", LockOptions.tryOnce()).close();
            }
            long first = (clockB.millis() / TICK_MILLIS) + 1;
            long last = first + TICKS - 1;
            // Bounded: until the last tick is over on both clocks, and its runs are recorded.
            while (clockA.millis() < (last + 1) * TICK_MILLIS + 300) {
                Thread.sleep(100);
            }
            String log = String.join("\n", runs.log);
            assertThat(runs.of("report", first, last)).as("runs per tick with holdAtLeast, runs:\n%s", log)
                    .hasSize(TICKS).allSatisfy((tick, count) -> assertThat(count).isOne());
            assertThat(runs.of("unguarded", first, last).values()).as("runs per tick without holdAtLeast:\n%s", log)
                    .filteredOn(count -> count == 2).hasSizeGreaterThanOrEqualTo(TICKS - 2);
            double skippedA = skipped(contextA.getBean(MeterRegistry.class));
            double skippedB = skipped(contextB.getBean(MeterRegistry.class));
            assertThat(skippedA + skippedB).as("skipped runs of the guarded job, counted")
                    .isGreaterThanOrEqualTo(TICKS);
        }));
    }

    private static double skipped(MeterRegistry meters) {
        return meters.find("distributed.lock.skipped").tags("store", "redis", "source", "annotation").counters()
                .stream().mapToDouble(counter -> counter.count()).sum();
    }
}
