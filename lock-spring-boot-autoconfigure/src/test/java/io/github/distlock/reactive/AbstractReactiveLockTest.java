package io.github.distlock.reactive;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import io.github.distlock.api.LockHandle;
import io.github.distlock.api.LockKeyNamespace;
import io.github.distlock.api.LockLostException;
import io.github.distlock.api.LockNotAcquiredException;
import io.github.distlock.api.LockOptions;
import io.github.distlock.api.OnLockLost;
import io.github.distlock.core.DistributedLockClient;
import io.github.distlock.core.LockTemplate;
import io.github.distlock.core.LockWatchdog;
import io.github.distlock.metrics.LockMetrics;
import io.github.distlock.metrics.LockRecorders;
import io.github.distlock.spi.LockStore;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import reactor.blockhound.BlockingOperationError;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * {@link ReactiveLockTemplate} on a real store: the lock spans the work of a subscription, not the call that made the
 * publisher. Every subscription, completion and cancellation happens on threads BlockHound watches
 * ({@link NonBlockingThreads}), so any blocking call of acquisition, waiting, renewal or release on them fails the
 * test. Two templates over two clients of the store play two application instances.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(180)
public abstract class AbstractReactiveLockTest {

    private LockStore store;
    private LockStore peerStore;
    private DistributedLockClient client;
    private LockWatchdog watchdog;
    private ReactiveLockTemplate locks;
    private LockTemplate peer;
    private Scheduler nonBlocking;

    /** A store on a fresh connection to the test server. */
    protected abstract LockStore createStore();

    /** Another store on the same server, as another instance of the application would have. */
    protected abstract LockStore createPeerStore();

    @BeforeAll
    void start() {
        NonBlockingThreads.install();
        nonBlocking = NonBlockingThreads.scheduler();
        store = createStore();
        peerStore = createPeerStore();
        client = new DistributedLockClient(Map.of("main", store), "main", LockKeyNamespace.of("reactive-test"));
        watchdog = new LockWatchdog(client, LockMetrics.NOOP, true, event -> {
        });
        locks = new ReactiveLockTemplate(new LockTemplate(client, new LockRecorders(LockMetrics.NOOP),
                LockOptions.DEFAULT_EXPIRE, watchdog));
        peer = new LockTemplate(new DistributedLockClient(Map.of("main", peerStore), "main",
                LockKeyNamespace.of("reactive-test")));
    }

    @AfterAll
    void stop() throws Exception {
        if (watchdog != null) {
            watchdog.close();
        }
        for (LockStore each : new LockStore[] {store, peerStore}) {
            if (each instanceof AutoCloseable closeable) {
                closeable.close();
            }
        }
        if (nonBlocking != null) {
            nonBlocking.dispose();
        }
    }

    private static String key(String name) {
        return name + "-" + System.nanoTime();
    }

    private boolean peerCanTake(String resourceId) {
        return peer.tryAcquire(resourceId, LockOptions.tryOnce()).map(lock -> {
            lock.release();
            return true;
        }).orElse(false);
    }

    @Test
    void blockHoundCatchesABlockingCallOnTheTestsNonBlockingThreads() {
        // The proof below is only worth something if BlockHound watches these threads: the synchronous path fails.
        // Only a call that parks is caught, and an answer from a fast loopback server can come back while the caller
        // still spins before parking; so several tries, of which one must be caught.
        Throwable caught = null;
        for (int attempt = 0; attempt < 50 && caught == null; attempt++) {
            try {
                Mono.fromCallable(() -> peerCanTake(key("sync"))).subscribeOn(nonBlocking)
                        .block(Duration.ofSeconds(30));
            } catch (RuntimeException | Error e) {
                caught = e;
            }
        }
        assertThat(caught).as("a synchronous lock call on a non-blocking thread, in 50 tries").isNotNull()
                .hasRootCauseInstanceOf(BlockingOperationError.class);
    }

    @Test
    void sixteenConcurrentSubscriptionsOfALockedMonoOnOneKeyNeverOverlap() {
        String resourceId = key("sixteen");
        AtomicInteger inside = new AtomicInteger();
        AtomicInteger maxInside = new AtomicInteger();
        AtomicInteger done = new AtomicInteger();
        Mono<Integer> locked = locks.executeLocked(resourceId, LockOptions.waitFor(Duration.ofSeconds(60)),
                lock -> Mono.fromRunnable(() -> maxInside.accumulateAndGet(inside.incrementAndGet(), Math::max))
                        .then(Mono.delay(Duration.ofMillis(20), nonBlocking))
                        .then(Mono.fromCallable(() -> {
                            inside.decrementAndGet();
                            return done.incrementAndGet();
                        })));
        List<Integer> results = Flux.range(0, 16)
                .flatMap(i -> locked.subscribeOn(nonBlocking), 16)
                .collectList().block(Duration.ofSeconds(120));
        assertThat(results).hasSize(16);
        assertThat(maxInside).hasValue(1);
        assertThat(peerCanTake(resourceId)).isTrue();
    }

    @Test
    void aMonoThatIsNeverSubscribedTakesNoLock() {
        String resourceId = key("unsubscribed");
        AtomicBoolean ran = new AtomicBoolean();
        Mono<String> locked = locks.executeLocked(resourceId, LockOptions.tryOnce(), lock -> {
            ran.set(true);
            return Mono.just("done");
        });
        assertThat(peerCanTake(resourceId)).isTrue();
        assertThat(ran).isFalse();
        assertThat(locked.subscribeOn(nonBlocking).block(Duration.ofSeconds(30))).isEqualTo("done");
    }

    @Test
    void cancellationReleasesAtOnceNotAtTheEndOfTheLease() {
        String resourceId = key("cancel");
        AtomicReference<LockHandle> held = new AtomicReference<>();
        LockOptions longLease = LockOptions.builder().expire(Duration.ofSeconds(120)).build();
        Disposable subscription = locks.executeLocked(resourceId, longLease, lock -> {
            held.set(lock);
            return Mono.never();
        }).subscribeOn(nonBlocking).subscribe();
        await().atMost(Duration.ofSeconds(30)).until(() -> held.get() != null);
        assertThat(peerCanTake(resourceId)).isFalse();
        subscription.dispose();
        // The lease is 120 s: a peer that gets in within seconds got in through the Unlock.
        await().atMost(Duration.ofSeconds(20)).until(() -> peerCanTake(resourceId));
        assertThat(held.get().isHeld()).isFalse();
    }

    @Test
    void anErrorReleasesAndIsWhatTheSubscriberSees() {
        String resourceId = key("error");
        Mono<String> failing = locks.executeLocked(resourceId, LockOptions.tryOnce(),
                lock -> Mono.delay(Duration.ofMillis(20), nonBlocking)
                        .then(Mono.error(new IllegalStateException("work failed"))));
        assertThatThrownBy(() -> failing.subscribeOn(nonBlocking).block(Duration.ofSeconds(30)))
                .isInstanceOf(IllegalStateException.class).hasMessage("work failed");
        // Released before the error was signalled.
        assertThat(peerCanTake(resourceId)).isTrue();
    }

    @Test
    void skipCompletesEmptyAndThrowFailsWithLockNotAcquired() {
        String resourceId = key("held-by-peer");
        try (LockHandle other = peer.acquire(resourceId, LockOptions.tryOnce())) {
            AtomicBoolean ran = new AtomicBoolean();
            Mono<String> skipped = locks.executeLocked(resourceId, LockOptions.tryOnce(), lock -> {
                ran.set(true);
                return Mono.just("ran");
            }, Mono.empty());
            assertThat(skipped.subscribeOn(nonBlocking).blockOptional(Duration.ofSeconds(30))).isEmpty();
            Mono<String> thrown = locks.executeLocked(resourceId,
                    LockOptions.waitFor(Duration.ofMillis(300)), lock -> Mono.just("ran"));
            assertThatThrownBy(() -> thrown.subscribeOn(nonBlocking).block(Duration.ofSeconds(30)))
                    .isInstanceOf(LockNotAcquiredException.class).hasMessageContaining(resourceId);
            assertThat(ran).isFalse();
            assertThat(other.isHeld()).isTrue();
        }
    }

    @Test
    void aWaitingSubscriberGetsTheLockWhenTheHolderCompletes() {
        String resourceId = key("wait");
        List<String> order = new CopyOnWriteArrayList<>();
        // The second subscribes once the first holds the lock (not after a fixed delay, which a slow first TryLock
        // on a loaded machine can outlast).
        Sinks.Empty<Void> firstHolds = Sinks.empty();
        Mono<String> first = locks.executeLocked(resourceId, LockOptions.tryOnce(),
                lock -> Mono.fromRunnable(firstHolds::tryEmitEmpty)
                        .then(Mono.delay(Duration.ofMillis(500), nonBlocking)).map(tick -> "first"))
                .doOnNext(order::add);
        Mono<String> second = firstHolds.asMono()
                .then(locks.executeLocked(resourceId, LockOptions.waitFor(Duration.ofSeconds(60)),
                        lock -> Mono.fromCallable(() -> "second")))
                .doOnNext(order::add);
        Flux.merge(first.subscribeOn(nonBlocking), second.subscribeOn(nonBlocking)).blockLast(Duration.ofSeconds(90));
        assertThat(order).containsExactly("first", "second");
    }

    @Test
    void aFluxEmittingForThreeLeasesKeepsItsLockByRenewal() {
        String resourceId = key("renewed");
        LockOptions oneSecond = LockOptions.builder().expire(Duration.ofSeconds(1)).build();
        List<Boolean> peerCouldTake = new CopyOnWriteArrayList<>();
        List<Long> ticks = locks.executeLockedMany(resourceId, oneSecond,
                        lock -> Flux.interval(Duration.ofMillis(250), nonBlocking).take(12)
                                .concatMap(tick -> tick % 4 != 3 ? Mono.just(tick) : Mono.fromCallable(() -> {
                                    peerCouldTake.add(peerCanTake(resourceId));
                                    return tick;
                                }).subscribeOn(Schedulers.boundedElastic())))
                .subscribeOn(nonBlocking).collectList().block(Duration.ofSeconds(60));
        assertThat(ticks).hasSize(12);
        assertThat(peerCouldTake).hasSize(3).containsOnly(false);
        assertThat(peerCanTake(resourceId)).isTrue();
    }

    @Test
    void aLossFailsTheFluxAtOnceWithInterrupt() {
        String resourceId = key("lost");
        LockOptions interrupt = LockOptions.builder().expire(Duration.ofSeconds(1)).onLockLost(OnLockLost.INTERRUPT)
                .build();
        AtomicReference<LockHandle> held = new AtomicReference<>();
        AtomicBoolean cancelled = new AtomicBoolean();
        Flux<Long> endless = locks.executeLockedMany(resourceId, interrupt, lock -> {
            held.set(lock);
            return Flux.interval(Duration.ofMillis(100), nonBlocking).doOnCancel(() -> cancelled.set(true));
        });
        Mono<List<Long>> all = endless.subscribeOn(nonBlocking).collectList();
        Disposable removal = Mono.delay(Duration.ofMillis(300), Schedulers.boundedElastic())
                .doOnNext(tick -> store.unlock(client.key(resourceId), held.get().owner())).subscribe();
        try {
            assertThatThrownBy(() -> all.block(Duration.ofSeconds(30))).isInstanceOf(LockLostException.class)
                    .hasMessageContaining(resourceId);
            assertThat(cancelled).isTrue();
        } finally {
            removal.dispose();
        }
    }

    @Test
    void aLossFailsTheFluxWhenItCompletesWithThrow() {
        String resourceId = key("lost-throw");
        LockOptions thrown = LockOptions.builder().expire(Duration.ofSeconds(1)).onLockLost(OnLockLost.THROW).build();
        AtomicInteger emitted = new AtomicInteger();
        Flux<Long> work = locks.executeLockedMany(resourceId, thrown,
                lock -> Flux.interval(Duration.ofMillis(100), nonBlocking).take(25)
                        .doOnNext(tick -> emitted.incrementAndGet())
                        .doOnNext(tick -> {
                            if (tick == 2) {
                                Schedulers.boundedElastic().schedule(
                                        () -> store.unlock(client.key(resourceId), lock.owner()));
                            }
                        }));
        assertThatThrownBy(() -> work.subscribeOn(nonBlocking).blockLast(Duration.ofSeconds(30)))
                .isInstanceOf(LockLostException.class);
        assertThat(emitted).hasValue(25);
    }

    @Test
    void nestedWorkOnTheSameKeyIsReentrantWithinThePipelineAndSeesTheFencingToken() {
        String resourceId = key("reentrant");
        AtomicReference<LockHandle> outer = new AtomicReference<>();
        LockHandle inner = locks.executeLocked(resourceId, LockOptions.tryOnce(), lock -> {
            outer.set(lock);
            return locks.executeLocked(resourceId, LockOptions.tryOnce(), nested -> ReactiveCurrentLock.get());
        }).subscribeOn(nonBlocking).block(Duration.ofSeconds(30));
        assertThat(inner).isSameAs(outer.get());
        assertThat(inner.fencingToken()).isEqualTo(outer.get().fencingToken());
        Mono<String> notReentrant = locks.executeLocked(resourceId, LockOptions.tryOnce(),
                lock -> locks.executeLocked(resourceId, LockOptions.builder().reentrant(false).build(),
                        nested -> Mono.just("inner")));
        assertThatThrownBy(() -> notReentrant.subscribeOn(nonBlocking).block(Duration.ofSeconds(30)))
                .isInstanceOf(LockNotAcquiredException.class).hasMessageContaining("reentrant is off");
        assertThat(peerCanTake(resourceId)).isTrue();
    }
}
