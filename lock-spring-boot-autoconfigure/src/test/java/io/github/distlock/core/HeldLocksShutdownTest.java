package io.github.distlock.core;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import io.github.distlock.api.LockHandle;
import io.github.distlock.api.LockKeyNamespace;
import io.github.distlock.api.LockOptions;
import io.github.distlock.metrics.LockMetrics;
import io.github.distlock.metrics.LockRecorders;
import io.github.distlock.store.inmemory.InMemoryLockStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

import static org.assertj.core.api.Assertions.assertThat;

@ExtendWith(OutputCaptureExtension.class)
class HeldLocksShutdownTest {

    private final HeldLocks heldLocks = new HeldLocks();
    private final DistributedLockClient client = new DistributedLockClient(Map.of("main", new InMemoryLockStore()),
            "main", LockKeyNamespace.none());
    private final LockTemplate template = new LockTemplate(client, new LockRecorders(LockMetrics.NOOP),
            Duration.ofSeconds(30), new LockWatchdog(client), heldLocks);

    @Test
    void heldLocksListsAcquiredLocksUntilTheyAreReleased() {
        LockHandle lock = template.acquire("a", LockOptions.tryOnce());
        assertThat(heldLocks.snapshot()).containsExactly(lock);
        lock.close();
        assertThat(heldLocks.size()).isZero();
    }

    @Test
    void stopWaitsForTheReleaseOfHeldLocks() throws Exception {
        LockHandle lock = template.acquire("job", LockOptions.tryOnce());
        HeldLocksShutdown shutdown = new HeldLocksShutdown(heldLocks, Duration.ofSeconds(10));
        shutdown.start();
        CompletableFuture<Void> release = CompletableFuture.runAsync(() -> {
            sleep(300);
            lock.close();
        });
        long start = System.nanoTime();
        shutdown.stop();
        long waitedMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        // The lock leaves HeldLocks inside close(), a moment before the releasing future completes.
        assertThat(heldLocks.size()).isZero();
        release.get(5, TimeUnit.SECONDS);
        assertThat(waitedMillis).as("returned once the lock was released").isBetween(250L, 5_000L);
        assertThat(shutdown.isRunning()).isFalse();
    }

    @Test
    void stopGivesUpAfterItsTimeoutNamingTheLocksStillHeld(CapturedOutput output) {
        template.acquire("stuck-job", LockOptions.tryOnce());
        HeldLocksShutdown shutdown = new HeldLocksShutdown(heldLocks, Duration.ofMillis(200));
        long start = System.nanoTime();
        shutdown.stop();
        assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start)).isBetween(150L, 5_000L);
        assertThat(output).contains("'stuck-job' in store 'main'").contains("distributed-lock.shutdown-wait");
    }

    @Test
    void itStopsBeforeLettuceConnectionFactoriesWhichStopAtPhaseZero() {
        assertThat(new HeldLocksShutdown(heldLocks, Duration.ZERO).getPhase()).isGreaterThan(0);
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
