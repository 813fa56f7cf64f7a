package io.github.distlock.core;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.IntStream;

import io.github.distlock.api.LockHandle;
import io.github.distlock.api.LockKeyNamespace;
import io.github.distlock.api.LockOptions;
import io.github.distlock.spi.HandOverLockStore;
import io.github.distlock.spi.LockStore;
import io.github.distlock.testsupport.ChildJvm;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Many waiters on one lock, on a real store: in one JVM they line up ({@link LocalLockQueue}), so they get the lock
 * one at a time in arrival order with about one TryLock per release (or, on a store that can hand a lock over, one
 * hand-over per release instead); in two JVMs they never overlap and all get in. TryLocks and hand-overs are counted
 * by a {@link CountingWaitingStore} over the real store.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(300)
public abstract class AbstractContendedWaitingTest {

    private static final LockOptions WAIT = LockOptions.waitFor(Duration.ofSeconds(120));

    /** A store with a connection of its own to the test's server; fenced and signalling releases. */
    protected abstract LockStore createStore();

    /** Builds, in a child JVM, this store behind a {@link TemplateWaitingChildStore}. */
    protected abstract Class<? extends ChildJvm.StoreFactory> childFactory();

    /** The argument of {@link #childFactory()} (the server's address). */
    protected abstract String childArgument();

    private static LockTemplate template(LockStore store) {
        return new LockTemplate(new DistributedLockClient(Map.of("store", store), "store",
                LockKeyNamespace.of("contended-" + UUID.randomUUID())));
    }

    @Test
    void sixtyFourWaitersGetTheLockOnceEachInArrivalOrderWithOneTryLockPerRelease() throws Exception {
        CountingWaitingStore store = CountingWaitingStore.of(createStore());
        LockTemplate locks = template(store);
        LockHandle holder = locks.acquire("hot", LockOptions.tryOnce());
        List<Integer> grants = Collections.synchronizedList(new ArrayList<>());
        List<Throwable> errors = Collections.synchronizedList(new ArrayList<>());
        AtomicInteger inside = new AtomicInteger();
        AtomicInteger mostInside = new AtomicInteger();
        List<Thread> waiters = new ArrayList<>();
        for (int i = 0; i < 64; i++) {
            int arrival = i;
            Thread waiter = new Thread(() -> {
                try (LockHandle lock = locks.acquire("hot", WAIT)) {
                    mostInside.accumulateAndGet(inside.incrementAndGet(), Math::max);
                    grants.add(arrival);
                    Thread.sleep(2);
                    inside.decrementAndGet();
                } catch (Throwable e) {
                    errors.add(e);
                }
            }, "waiter-" + i);
            waiter.start();
            waiters.add(waiter);
            // Arrival order is start order: each waiter is in place before the next starts.
            await().atMost(Duration.ofSeconds(30)).until(() -> arrival == 0
                    ? store.awaits.get() == 1 && waiter.getState() == Thread.State.TIMED_WAITING
                    : LockSupport.getBlocker(waiter) instanceof LocalLockQueue);
        }
        long tryLocksBefore = store.tryLocks.get();
        long handOversBefore = store.handOvers.get();
        holder.release();
        for (Thread waiter : waiters) {
            waiter.join(Duration.ofSeconds(120).toMillis());
            assertThat(waiter.isAlive()).as(waiter.getName() + " still waiting").isFalse();
        }
        long tryLocksAfterRelease = store.tryLocks.get() - tryLocksBefore;
        long handOvers = store.handOvers.get() - handOversBefore;
        System.out.println("64 waiters: " + tryLocksAfterRelease + " TryLocks and " + handOvers + " hand-overs after "
                + "the first release, " + store.awaits.get() + " waits on the store, grant order " + grants);

        assertThat(errors).isEmpty();
        assertThat(mostInside).as("never two holders at once").hasValue(1);
        assertThat(grants).as("each waiter once, in the order they arrived")
                .containsExactlyElementsOf(IntStream.range(0, 64).boxed().toList());
        assertThat(tryLocksAfterRelease + handOvers)
                .as("about one TryLock or hand-over per release (64 releases), not one per waiter")
                .isBetween(64L, 64L + 4);
        if (store instanceof HandOverLockStore handing) {
            // 63 releases had a next waiter; every (MAX + 1)th of them goes by Unlock, for other JVMs' contenders.
            int max = handing.maxHandOversInARow();
            assertThat(handOvers).as("releases that handed the lock over")
                    .isGreaterThanOrEqualTo(63L * max / (max + 1) - 2);
        } else {
            assertThat(handOvers).isZero();
        }
        assertThat(store.awaits.get()).as("only the waiter whose turn it is waits on the store").isLessThan(8);
    }

    @Test
    void eightThreadsTakingTheLockAgainAndAgainTakeTurnsInsteadOfTheReleaserTakingItBack() throws Exception {
        CountingWaitingStore store = CountingWaitingStore.of(createStore());
        LockTemplate locks = template(store);
        int threads = 8;
        int sections = 25;
        List<Integer> grants = Collections.synchronizedList(new ArrayList<>());
        List<Long> tokens = Collections.synchronizedList(new ArrayList<>());
        int[] counter = {0}; // guarded by the lock alone
        List<Throwable> errors = Collections.synchronizedList(new ArrayList<>());
        AtomicInteger inside = new AtomicInteger();
        AtomicInteger mostInside = new AtomicInteger();
        List<Thread> workers = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            int id = t;
            workers.add(new Thread(() -> {
                for (int s = 0; s < sections; s++) {
                    // No pause between sections: the releaser comes straight back.
                    try (LockHandle lock = locks.acquire("hot", WAIT)) {
                        mostInside.accumulateAndGet(inside.incrementAndGet(), Math::max);
                        grants.add(id);
                        tokens.add(lock.fencingToken().orElseThrow());
                        counter[0]++;
                        inside.decrementAndGet();
                    } catch (Throwable e) {
                        errors.add(e);
                        return;
                    }
                }
            }, "worker-" + t));
        }
        workers.forEach(Thread::start);
        for (Thread worker : workers) {
            worker.join(Duration.ofSeconds(120).toMillis());
            assertThat(worker.isAlive()).as(worker.getName() + " still working").isFalse();
        }
        int again = 0;
        int widestLead = 0;
        int[] counts = new int[threads];
        for (int i = 0; i < grants.size(); i++) {
            if (i > 0 && grants.get(i).equals(grants.get(i - 1))) {
                again++;
            }
            counts[grants.get(i)]++;
            widestLead = Math.max(widestLead, IntStream.of(counts).max().orElseThrow()
                    - IntStream.of(counts).min().orElseThrow());
        }
        System.out.println(threads + " threads x " + sections + " sections: " + again + " taken straight back by "
                + "the releaser, widest lead of one thread over another " + widestLead + " sections, "
                + store.tryLocks.get() + " TryLocks, " + store.handOvers.get() + " hand-overs, " + store.unlocks.get()
                + " Unlocks, " + store.awaits.get() + " waits on the store");

        assertThat(errors).isEmpty();
        assertThat(mostInside).as("never two holders at once").hasValue(1);
        assertThat(grants).hasSize(threads * sections);
        assertThat(counter[0]).as("every section counted").isEqualTo(threads * sections);
        assertThat(tokens).as("a larger fencing token in every section, hand-overs included")
                .isSortedAccordingTo(Long::compare).doesNotHaveDuplicates();
        // Barging, the releaser takes it straight back about every other time; in line only when nobody else waits.
        assertThat(again).as("sections taken straight back by the thread that released").isLessThan(20);
        assertThat(store.tryLocks.get() + store.handOvers.get()).as("TryLocks and hand-overs: about one per section")
                .isLessThanOrEqualTo(threads * sections + threads * 4L);
        if (store instanceof HandOverLockStore) {
            long calls = store.tryLocks.get() + store.handOvers.get() + store.unlocks.get() + store.awaits.get();
            assertThat((double) calls / (threads * sections))
                    .as("store calls per section: mostly one hand-over, not an Unlock and a TryLock").isLessThan(1.5);
        }
    }

    @Test
    void twoJvmsOfEightWaitingThreadsNeverOverlapAndAllGetIn() throws Exception {
        int perThread = 25;
        ChildJvm.ExclusionResult result = ChildJvm.runExclusion(childFactory(), childArgument(), 2, 8, perThread,
                Duration.ofSeconds(90), 1);
        List<Long> perJvm = new ArrayList<>();
        for (String line : result.output().split("\n")) {
            if (line.startsWith("GRANTS ")) {
                perJvm.add(Long.parseLong(line.substring("GRANTS ".length()).trim()));
            }
        }
        System.out.println("2 JVMs x 8 threads: grants " + perJvm);
        assertThat(result.counted()).as("increments: none lost to overlapping holders\n%s", result.output())
                .isEqualTo(result.grants());
        assertThat(result.failedUnlocks()).isZero();
        assertThat(perJvm).as("every wait of every thread in both JVMs ended with the lock\n%s", result.output())
                .containsExactly(8L * perThread, 8L * perThread);
    }
}
