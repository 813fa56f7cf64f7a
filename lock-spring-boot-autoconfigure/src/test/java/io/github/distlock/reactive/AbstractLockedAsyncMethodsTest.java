package io.github.distlock.reactive;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

import io.github.distlock.annotation.DistributedLock;
import io.github.distlock.annotation.OnFailure;
import io.github.distlock.api.LockHandle;
import io.github.distlock.api.LockNotAcquiredException;
import io.github.distlock.api.LockOptions;
import io.github.distlock.autoconfigure.DistributedLockAutoConfiguration;
import io.github.distlock.autoconfigure.ReactiveLockTemplateAutoConfiguration;
import io.github.distlock.core.CurrentLock;
import io.github.distlock.core.LockTemplate;
import io.github.distlock.spi.LockStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.scheduling.annotation.Async;
import org.springframework.scheduling.annotation.EnableAsync;
import org.springframework.scheduling.concurrent.ThreadPoolTaskExecutor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * {@code @DistributedLock} on methods returning {@code Mono}, {@code Flux} and {@code CompletableFuture} (with
 * {@code @Async}), in a Spring Boot context on a real store: the lock spans the work, not the call.
 */
@Timeout(180)
public abstract class AbstractLockedAsyncMethodsTest {

    /** A store on the test server; a fresh one per context. */
    protected abstract Supplier<LockStore> store();

    private ApplicationContextRunner runner() {
        return new ApplicationContextRunner()
                .withConfiguration(AutoConfigurations.of(DistributedLockAutoConfiguration.class,
                        ReactiveLockTemplateAutoConfiguration.class))
                .withBean("main", LockStore.class, store())
                .withUserConfiguration(Services.class);
    }

    @Test
    void sixteenConcurrentSubscriptionsOfALockedMonoMethodNeverOverlap() {
        NonBlockingThreads.install();
        Scheduler nonBlocking = NonBlockingThreads.scheduler();
        try {
            runner().run(context -> {
                Jobs jobs = context.getBean(Jobs.class);
                List<Integer> results = Flux.range(0, 16)
                        .flatMap(i -> jobs.reactiveStep(nonBlocking).subscribeOn(nonBlocking), 16)
                        .collectList().block(Duration.ofSeconds(120));
                assertThat(results).hasSize(16);
                assertThat(jobs.maxInside()).isEqualTo(1);
            });
        } finally {
            nonBlocking.dispose();
        }
    }

    @Test
    void aMonoMethodThatIsNeverSubscribedTakesNoLockAndSkipCompletesEmpty() {
        runner().run(context -> {
            Jobs jobs = context.getBean(Jobs.class);
            LockTemplate template = context.getBean(LockTemplate.class);
            Mono<String> unsubscribed = jobs.skippable();
            assertThat(jobs.calls()).isZero(); // the method body runs on subscription, under the lock
            try (LockHandle other = template.acquire("skippable", LockOptions.tryOnce())) {
                assertThat(other.isHeld()).isTrue();
                // From another thread: this one holds the lock, and the reactive path does not look at threads.
                assertThat(CompletableFuture.supplyAsync(() -> unsubscribed.blockOptional(Duration.ofSeconds(30)))
                        .get(60, TimeUnit.SECONDS)).isEmpty();
                assertThat(jobs.calls()).isZero();
            }
            assertThat(jobs.skippable().block(Duration.ofSeconds(30))).isEqualTo("ran");
            assertThat(jobs.calls()).isEqualTo(1);
        });
    }

    @Test
    void sixteenConcurrentAsyncFutureMethodsNeverOverlapAndHoldTheLockOnTheExecutorThread() {
        runner().run(context -> {
            Jobs jobs = context.getBean(Jobs.class);
            List<CompletableFuture<String>> futures = new ArrayList<>();
            for (int i = 0; i < 16; i++) {
                futures.add(jobs.asyncStep());
            }
            List<String> threads = new ArrayList<>();
            for (CompletableFuture<String> future : futures) {
                threads.add(future.get(120, TimeUnit.SECONDS));
            }
            assertThat(jobs.maxInside()).isEqualTo(1);
            // @Async goes around the lock: the body ran on the executor, with the lock as its CurrentLock.
            assertThat(threads).allSatisfy(thread -> assertThat(thread).startsWith("locked-async-"));
            assertThat(jobs.currentLockSeen()).isEqualTo(16);
        });
    }

    @Test
    void aFutureMethodHoldsItsLockUntilTheFutureCompletesAndFailsWhenItIsHeld() {
        runner().run(context -> {
            Jobs jobs = context.getBean(Jobs.class);
            LockTemplate template = context.getBean(LockTemplate.class);
            CompletableFuture<String> gate = new CompletableFuture<>();
            CompletableFuture<String> pending = jobs.untilGate(gate);
            // The method returned; the lock is still held, by its future's work.
            assertThat(template.tryAcquire("gate", LockOptions.tryOnce())).isEmpty();
            CompletableFuture<String> second = jobs.untilGate(new CompletableFuture<>());
            assertThatThrownBy(() -> second.get(30, TimeUnit.SECONDS)).hasCauseInstanceOf(
                    LockNotAcquiredException.class);
            gate.complete("opened");
            assertThat(pending.get(30, TimeUnit.SECONDS)).isEqualTo("opened");
            Optional<LockHandle> free = template.tryAcquire("gate", LockOptions.tryOnce());
            assertThat(free).isPresent();
            free.get().release();
        });
    }

    @Configuration(proxyBeanMethods = false)
    @EnableAsync
    static class Services {

        @Bean
        Jobs jobs() {
            return new Jobs();
        }

        @Bean
        ThreadPoolTaskExecutor taskExecutor() {
            ThreadPoolTaskExecutor executor = new ThreadPoolTaskExecutor();
            executor.setCorePoolSize(16);
            executor.setThreadNamePrefix("locked-async-");
            return executor;
        }
    }

    static class Jobs {

        final AtomicInteger inside = new AtomicInteger();
        final AtomicInteger maxInside = new AtomicInteger();
        final AtomicInteger calls = new AtomicInteger();
        final AtomicInteger currentLockSeen = new AtomicInteger();

        // Read through these: the bean is a CGLIB proxy, whose own fields are not the target's.
        public int maxInside() {
            return maxInside.get();
        }

        public int calls() {
            return calls.get();
        }

        public int currentLockSeen() {
            return currentLockSeen.get();
        }

        @DistributedLock(key = "'reactive-step'", waitTime = "60s")
        public Mono<Integer> reactiveStep(Scheduler timer) {
            return Mono.fromCallable(() -> maxInside.accumulateAndGet(inside.incrementAndGet(), Math::max))
                    .then(Mono.delay(Duration.ofMillis(20), timer))
                    .then(Mono.fromCallable(inside::decrementAndGet));
        }

        @DistributedLock(key = "'skippable'", onFailure = OnFailure.SKIP)
        public Mono<String> skippable() {
            calls.incrementAndGet();
            return Mono.just("ran");
        }

        @Async
        @DistributedLock(key = "'async-step'", waitTime = "60s")
        public CompletableFuture<String> asyncStep() throws InterruptedException {
            maxInside.accumulateAndGet(inside.incrementAndGet(), Math::max);
            if (CurrentLock.find("main", "async-step").isPresent()) {
                currentLockSeen.incrementAndGet();
            }
            Thread.sleep(20);
            inside.decrementAndGet();
            return CompletableFuture.completedFuture(Thread.currentThread().getName());
        }

        @DistributedLock(key = "'gate'")
        public CompletableFuture<String> untilGate(CompletableFuture<String> gate) {
            return gate.thenApply(value -> value);
        }
    }
}
