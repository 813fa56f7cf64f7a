package io.github.distlock.annotation;

import java.lang.reflect.Method;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import io.github.distlock.api.LockHandle;
import io.github.distlock.api.LockNotAcquiredException;
import io.github.distlock.api.LockOptions;
import io.github.distlock.api.OnLockLost;
import io.github.distlock.autoconfigure.DistributedLockAutoConfiguration;
import io.github.distlock.core.CountingLockStore;
import io.github.distlock.core.CurrentLock;
import io.github.distlock.core.LockTemplate;
import io.github.distlock.core.LockWatchdog;
import io.github.distlock.spi.LockStore;
import io.github.distlock.store.inmemory.InMemoryLockStore;
import io.github.distlock.store.inmemory.InMemoryLockStoreAutoConfiguration;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.slf4j.LoggerFactory;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.core.annotation.AnnotatedElementUtils;

import static io.github.distlock.testsupport.StartupFailures.invalidConfiguration;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * The holding attributes of {@code @DistributedLock}: nested methods of two beans on one key (reentrant, or failing
 * at once), {@code holdAtLeast} checked at startup, skipped runs logged and counted, renewal switched off.
 */
@Timeout(60)
@ExtendWith(OutputCaptureExtension.class)
class DistributedLockHoldingTest {

    private final ApplicationContextRunner runner = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(DistributedLockAutoConfiguration.class,
                    InMemoryLockStoreAutoConfiguration.class))
            .withBean(Payments.class).withBean(Ledger.class).withBean(SimpleMeterRegistry.class)
            .withPropertyValues("spring.application.name=billing");

    /** Calls the ledger, another bean, under the same key. */
    public static class Payments {

        private final Ledger ledger;

        public Payments(Ledger ledger) {
            this.ledger = ledger;
        }

        @DistributedLock(key = "'order:' + #id", waitTime = "5s")
        public int[] pay(String id) {
            LockHandle outer = CurrentLock.get().orElseThrow();
            long start = System.nanoTime();
            int innerHolds = ledger.book(id);
            long tookMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
            return new int[] {innerHolds, outer.holdCount(), (int) tookMillis};
        }

        @DistributedLock(key = "'order:' + #id", waitTime = "5s")
        public void payStrictly(String id) {
            ledger.bookStrictly(id);
        }
    }

    public static class Ledger {

        @DistributedLock(key = "'order:' + #id", waitTime = "5s")
        public int book(String id) {
            return CurrentLock.get().orElseThrow().holdCount();
        }

        @DistributedLock(key = "'order:' + #id", waitTime = "5s", reentrant = false)
        public void bookStrictly(String id) {
        }

        @DistributedLock(key = "'report'", onFailure = OnFailure.SKIP)
        public String report() {
            return "ran";
        }

        @DistributedLock(key = "'settings'", expire = "20s", renewal = false, reentrant = false,
                onLockLost = OnLockLost.INTERRUPT, holdAtLeast = "${ledger.hold:2s}")
        public void configured() {
        }
    }

    @Test
    void aMethodCallingAnotherBeansMethodOnTheSameKeyRunsItUnderItsOwnLock() {
        runner.run(context -> {
            int[] seen = context.getBean(Payments.class).pay("7");
            assertThat(seen[0]).as("holds inside the inner method").isEqualTo(2);
            assertThat(seen[1]).as("holds back in the outer one").isEqualTo(1);
            assertThat(seen[2]).as("ms the inner call took (it used to wait 5 s, then fail)").isLessThan(500);
            MeterRegistry meters = context.getBean(MeterRegistry.class);
            assertThat(meters.get("distributed.lock.acquire").tags("source", "annotation", "result", "acquired")
                    .timer().count()).as("one TryLock").isEqualTo(1);
            assertThat(meters.get("distributed.lock.unlock").tags("source", "annotation", "status", "success")
                    .counter().count()).as("one Unlock").isEqualTo(1);
            LockTemplate locks = context.getBean(LockTemplate.class);
            locks.acquire("order:7", LockOptions.tryOnce()).close(); // free again
        });
    }

    @Test
    void withReentrantFalseTheNestedMethodFailsAtOnce() {
        runner.run(context -> {
            long start = System.nanoTime();
            assertThatThrownBy(() -> context.getBean(Payments.class).payStrictly("8"))
                    .isInstanceOf(LockNotAcquiredException.class)
                    .hasMessageContaining("Lock 'order:8' in store 'in-memory' was not acquired: this thread already "
                            + "holds it in an enclosing call, and reentrant is off");
            assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start)).isLessThan(1000);
        });
    }

    @Test
    void theAttributesBecomeTheLocksOptions() {
        runner.withPropertyValues("ledger.hold=1500ms").run(context -> {
            Ledger ledger = context.getBean(Ledger.class);
            Method method = Ledger.class.getMethod("configured");
            LockOptions options = LockOperation.parse(method, AnnotatedElementUtils.findMergedAnnotation(method,
                    DistributedLock.class), context.getBeanFactory()::resolveEmbeddedValue).options;
            assertThat(options.renewal()).isFalse();
            assertThat(options.reentrant()).isFalse();
            assertThat(options.onLockLost()).isEqualTo(OnLockLost.INTERRUPT);
            assertThat(options.holdAtLeast()).isEqualTo(Duration.ofMillis(1500));
            ledger.configured();
        });
    }

    @Test
    void aSkippedRunIsLoggedAtDebugAndCounted(CapturedOutput output) {
        Logger logger = (Logger) LoggerFactory.getLogger(LockTemplate.class);
        Level before = logger.getLevel();
        logger.setLevel(Level.DEBUG);
        try {
            runner.run(context -> {
                Ledger ledger = context.getBean(Ledger.class);
                LockTemplate locks = context.getBean(LockTemplate.class);
                try (LockHandle held = locks.acquire("report", LockOptions.tryOnce())) {
                    String result = CompletableFuture.supplyAsync(ledger::report).get(10, TimeUnit.SECONDS);
                    assertThat(result).isNull();
                }
                assertThat(ledger.report()).isEqualTo("ran");
                MeterRegistry meters = context.getBean(MeterRegistry.class);
                assertThat(meters.get("distributed.lock.skipped").tags("store", "in-memory", "source", "annotation")
                        .counter().count()).isEqualTo(1.0);
            });
        } finally {
            logger.setLevel(before);
        }
        assertThat(output).contains("Lock 'report' in store 'in-memory' is held by another owner; skipped (annotation)");
    }

    @Test
    void holdAtLeastLongerThanTheLeaseStopsStartupNamingTheAttribute() {
        runner.withPropertyValues("ledger.hold=21s").run(context -> {
            assertThat(context).hasFailed();
            assertThat(invalidConfiguration(context.getStartupFailure()).getMessage())
                    .contains("Ledger.configured()").contains("attribute 'holdAtLeast'")
                    .contains("'21s' is longer than the lease of 20s");
        });
    }

    @Test
    void holdAtLeastLongerThanTheDefaultLeaseStopsStartupNamingTheAttribute() {
        new ApplicationContextRunner()
                .withConfiguration(AutoConfigurations.of(DistributedLockAutoConfiguration.class,
                        InMemoryLockStoreAutoConfiguration.class))
                .withBean(HoldsTooLong.class).withPropertyValues("distributed-lock.default-expire=10s")
                .run(context -> {
                    assertThat(context).hasFailed();
                    assertThat(invalidConfiguration(context.getStartupFailure()).getMessage())
                            .contains("HoldsTooLong.run()").contains("attribute 'holdAtLeast'")
                            .contains("'PT15S' is longer than the lease of 10s")
                            .contains("distributed-lock.default-expire");
                });
    }

    public static class HoldsTooLong {
        @DistributedLock(holdAtLeast = "15s")
        public void run() {
        }
    }

    @Test
    void renewalStopsWhenTheContextCloses() throws InterruptedException {
        CountingLockStore store = new CountingLockStore(new InMemoryLockStore());
        new ApplicationContextRunner()
                .withConfiguration(AutoConfigurations.of(DistributedLockAutoConfiguration.class))
                .withBean("jobs", LockStore.class, () -> store)
                .run(context -> {
                    LockHandle lock = context.getBean(LockTemplate.class).acquire("held-at-shutdown",
                            LockOptions.builder().expire(Duration.ofSeconds(1)).build());
                    await().atMost(Duration.ofSeconds(3)).until(() -> store.keepAlives.get() >= 1);
                    assertThat(lock.isHeld()).isTrue();
                    context.close();
                });
        Thread.sleep(100); // a renewal under way ends
        int renewed = store.keepAlives.get();
        Thread.sleep(800);
        assertThat(store.keepAlives).as("renewals after the context closed").hasValue(renewed);
    }

    @Test
    void renewalCanBeSwitchedOffForAllLocks() {
        runner.withPropertyValues("distributed-lock.renewal.enabled=false").run(context ->
                assertThat(context.getBean(LockWatchdog.class).isRenewalEnabled()).isFalse());
        runner.run(context -> assertThat(context.getBean(LockWatchdog.class).isRenewalEnabled()).isTrue());
    }
}
