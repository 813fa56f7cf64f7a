package io.github.distlock.annotation;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import io.github.distlock.api.LockHandle;
import io.github.distlock.api.LockNotAcquiredException;
import io.github.distlock.api.LockOptions;
import io.github.distlock.autoconfigure.DistributedLockAutoConfiguration;
import io.github.distlock.core.CurrentLock;
import io.github.distlock.core.LockTemplate;
import io.github.distlock.store.inmemory.InMemoryLockStoreAutoConfiguration;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

/** {@code @DistributedLock} methods run through the {@link LockTemplate}: the current lock, exclusion, metrics. */
@Timeout(60)
class DistributedLockCurrentLockTest {

    private final ApplicationContextRunner runner = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(DistributedLockAutoConfiguration.class,
                    InMemoryLockStoreAutoConfiguration.class))
            .withBean(Orders.class).withBean(Audit.class)
            .withBean(SimpleMeterRegistry.class)
            .withPropertyValues("spring.application.name=billing", "distributed-lock.default-expire=45s");

    @Test
    void theMethodSeesItsLockAsTheCurrentLock() {
        runner.run(context -> {
            LockHandle seen = context.getBean(Orders.class).pay("42");
            assertThat(seen.resourceId()).isEqualTo("order:42");
            assertThat(seen.storeName()).isEqualTo("in-memory");
            assertThat(seen.owner()).hasSize(36);
            assertThat(seen.expireSeconds()).as("distributed-lock.default-expire").isEqualTo(45);
            assertThat(seen.isHeld()).as("released when the method returned").isFalse();
            assertThat(CurrentLock.get()).isEmpty();
        });
    }

    @Test
    void nestedAnnotatedMethodsStackAndUnwind() {
        runner.run(context -> {
            LockHandle[] seen = context.getBean(Orders.class).payAndAudit("7");
            assertThat(seen[0].resourceId()).as("inside the inner method").isEqualTo("audit:7");
            assertThat(seen[1].resourceId()).as("the outer lock, found by store and key").isEqualTo("order:7");
            assertThat(seen[2].resourceId()).as("back in the outer method").isEqualTo("order:7");
            assertThat(CurrentLock.get()).isEmpty();
        });
    }

    @Test
    void theTemplateAndTheAnnotationExcludeEachOtherAndRecordTheirOwnSource() {
        runner.run(context -> {
            LockTemplate locks = context.getBean(LockTemplate.class);
            Orders orders = context.getBean(Orders.class);
            locks.executeLocked("order:9", LockOptions.tryOnce(), lock -> {
                // Another thread: on this one the call would be reentrant.
                CompletableFuture<Throwable> other = CompletableFuture.supplyAsync(
                        () -> catchThrowable(() -> orders.pay("9")));
                assertThat(other.get(10, TimeUnit.SECONDS)).isInstanceOf(LockNotAcquiredException.class);
                return null;
            });
            orders.pay("9");
            MeterRegistry meters = context.getBean(MeterRegistry.class);
            assertThat(meters.get("distributed.lock.acquire").tags("source", "template", "result", "acquired")
                    .timer().count()).isEqualTo(1);
            assertThat(meters.get("distributed.lock.acquire").tags("source", "annotation", "result", "acquired")
                    .timer().count()).isEqualTo(1);
            assertThat(meters.get("distributed.lock.acquire").tags("source", "annotation", "result", "not_acquired")
                    .timer().count()).isEqualTo(1);
        });
    }

    @Test
    void aWaitingAnnotatedMethodAcquiresOnceTheTemplatesLockIsReleased() {
        runner.run(context -> {
            LockHandle holder = context.getBean(LockTemplate.class).acquire("order:10", LockOptions.tryOnce());
            Thread releaser = new Thread(() -> {
                try {
                    Thread.sleep(200);
                } catch (InterruptedException e) {
                    return;
                }
                holder.close();
            });
            releaser.start();
            long start = System.nanoTime();
            LockHandle seen = context.getBean(Orders.class).payWaiting("10");
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(Duration.ofMillis(150));
            assertThat(seen.resourceId()).isEqualTo("order:10");
            releaser.join(5_000);
        });
    }

    public static class Orders {

        private final Audit audit;

        public Orders(Audit audit) {
            this.audit = audit;
        }

        @DistributedLock(key = "'order:' + #orderId")
        public LockHandle pay(String orderId) {
            return CurrentLock.get().orElseThrow();
        }

        @DistributedLock(key = "'order:' + #orderId", waitTime = "5s")
        public LockHandle payWaiting(String orderId) {
            return CurrentLock.get().orElseThrow();
        }

        @DistributedLock(key = "'order:' + #orderId")
        public LockHandle[] payAndAudit(String orderId) {
            LockHandle[] seen = audit.record(orderId);
            seen[2] = CurrentLock.get().orElseThrow();
            return seen;
        }
    }

    public static class Audit {

        @DistributedLock(key = "'audit:' + #orderId")
        public LockHandle[] record(String orderId) {
            LockHandle inner = CurrentLock.get().orElseThrow();
            LockHandle outer = CurrentLock.find(inner.storeName(), "order:" + orderId).orElseThrow();
            return new LockHandle[] {inner, outer, null};
        }
    }
}
