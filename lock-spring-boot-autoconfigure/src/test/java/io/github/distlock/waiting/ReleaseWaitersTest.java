package io.github.distlock.waiting;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BiConsumer;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * {@link ReleaseWaiters}' own rules, with a signal written for the test (the stores' signals are tested on real
 * servers): bounded waits whatever the signal does, timed retries while it is lost, a prompt return when the key
 * cannot be read, and every watch disarmed exactly once.
 */
class ReleaseWaitersTest {

    private final AtomicInteger arms = new AtomicInteger();
    private final Map<ReleaseWaiters.Watch, AtomicInteger> disarms = new ConcurrentHashMap<>();

    @Test
    void aSignalThatNeverAnswersStillEndsTheWaitAtMaxWait() throws Exception {
        ReleaseWaiters waiters = waiters((key, watch) -> { });
        assertThat(timeOf(() -> waiters.awaitRelease("k", Duration.ofMillis(200))))
                .isBetween(Duration.ofMillis(195), Duration.ofMillis(400));
        assertNothingLeft(waiters);
    }

    @Test
    void aKeyThatCannotBeReadEndsTheWaitAfterOnePause() throws Exception {
        ReleaseWaiters waiters = waiters((key, watch) -> watch.failed());
        assertThat(timeOf(() -> waiters.awaitRelease("k", Duration.ofSeconds(10))))
                .isBetween(ReleaseWaiters.POLL_INTERVAL.dividedBy(2).minusMillis(5), Duration.ofMillis(300));
        assertThat(arms).hasValue(1);
        assertNothingLeft(waiters);
    }

    @Test
    void whileTheSignalIsLostTheKeyIsReadAgainEveryPollIntervalUntilMaxWait() throws Exception {
        ReleaseWaiters waiters = waiters((key, watch) -> watch.lost());
        Duration waited = timeOf(() -> waiters.awaitRelease("k", Duration.ofMillis(500)));
        assertThat(waited).isBetween(Duration.ofMillis(495), Duration.ofMillis(700));
        // 25 to 50 ms apart: 10 to 20 reads in 500 ms (a little less on a busy machine).
        assertThat(arms.get()).isBetween(8, 21);
        assertNothingLeft(waiters);
    }

    @Test
    void aRestoredSignalCutsThePauseShort() throws Exception {
        List<Long> armedAt = new ArrayList<>();
        ReleaseWaiters waiters = waiters((key, watch) -> {
            armedAt.add(System.nanoTime());
            if (armedAt.size() == 1) {
                watch.lost();
            } else {
                watch.released();
            }
        });
        Thread restorer = new Thread(() -> {
            // Again and again, so that one restoration surely comes while the waiter pauses.
            while (!Thread.currentThread().isInterrupted()) {
                waiters.signalRestored();
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
            }
        });
        restorer.start();
        try {
            waiters.awaitRelease("k", Duration.ofSeconds(10));
        } finally {
            restorer.interrupt();
        }
        assertThat(armedAt).hasSize(2);
        assertThat(Duration.ofNanos(armedAt.get(1) - armedAt.get(0))).as("from the lost watch to the next")
                .isLessThan(ReleaseWaiters.POLL_INTERVAL.dividedBy(2));
    }

    @Test
    void theLeaseEndEndsTheWaitAndAnInterruptLeavesNothing() throws Exception {
        ReleaseWaiters waiters = waiters((key, watch) -> watch.held(System.nanoTime()
                + TimeUnit.MILLISECONDS.toNanos(100)));
        assertThat(timeOf(() -> waiters.awaitRelease("k", Duration.ofSeconds(10))))
                .isBetween(Duration.ofMillis(95), Duration.ofMillis(300));

        ReleaseWaiters forever = waiters((key, watch) -> watch.held(Long.MAX_VALUE));
        Thread waiting = Thread.currentThread();
        Thread interrupter = new Thread(() -> {
            while (forever.waiterCount() == 0) {
                Thread.onSpinWait();
            }
            waiting.interrupt();
        });
        interrupter.start();
        assertThatThrownBy(() -> forever.awaitRelease("k", Duration.ofSeconds(10)))
                .isInstanceOf(InterruptedException.class);
        interrupter.join();
        assertNothingLeft(forever);
        assertThat(disarms.values()).as("both watches disarmed once").hasSize(2)
                .allSatisfy(count -> assertThat(count).hasValue(1));

        Thread.currentThread().interrupt();
        assertThatThrownBy(() -> forever.awaitRelease("k", Duration.ofSeconds(10)))
                .isInstanceOf(InterruptedException.class);
        assertThat(arms).as("an interrupted thread reads no key").hasValue(2);
    }

    @Test
    void everyWatchIsDisarmedExactlyOnceHoweverItsWaitersAndItsOutcomeRace() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            ReleaseWaiters waiters = waiters((key, watch) -> pool.execute(() -> {
                switch (ThreadLocalRandom.current().nextInt(4)) {
                    case 0 -> watch.released();
                    case 1 -> watch.lost();
                    case 2 -> watch.held(System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(1));
                    default -> { } // never answers
                }
            }));
            List<Future<?>> threads = new ArrayList<>();
            for (int i = 0; i < 6; i++) {
                threads.add(pool.submit(() -> {
                    for (int round = 0; round < 200; round++) {
                        waiters.awaitRelease("k" + (round % 3), Duration.ofMillis(2));
                    }
                    return null;
                }));
            }
            for (Future<?> thread : threads) {
                thread.get(60, TimeUnit.SECONDS);
            }
            assertNothingLeft(waiters);
            assertThat(disarms).as("watches disarmed").hasSize(arms.get());
            assertThat(disarms.values()).allSatisfy(count -> assertThat(count).hasValue(1));
        } finally {
            pool.shutdownNow();
        }
    }

    private ReleaseWaiters waiters(BiConsumer<String, ReleaseWaiters.Watch> arm) {
        return new ReleaseWaiters(System::nanoTime) {
            @Override
            protected void arm(String key, Watch watch) {
                arms.incrementAndGet();
                arm.accept(key, watch);
            }

            @Override
            protected void disarm(String key, Watch watch) {
                disarms.computeIfAbsent(watch, w -> new AtomicInteger()).incrementAndGet();
            }
        };
    }

    private static void assertNothingLeft(ReleaseWaiters waiters) {
        assertThat(waiters.waiterCount()).as("waiters").isZero();
        assertThat(waiters.watchCount()).as("watches").isZero();
    }

    private interface Wait {
        void run() throws InterruptedException;
    }

    private static Duration timeOf(Wait wait) throws InterruptedException {
        long start = System.nanoTime();
        wait.run();
        return Duration.ofNanos(System.nanoTime() - start);
    }
}
