package io.github.distlock.reactive;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;

import io.github.distlock.api.LockHandle;
import io.github.distlock.api.LockLostException;
import io.github.distlock.api.LockNotAcquiredException;
import io.github.distlock.api.LockOptions;
import io.github.distlock.api.LockStoreException;
import io.github.distlock.core.LockTemplate;
import io.github.distlock.core.WorkScopedLocks;
import org.reactivestreams.Publisher;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

/**
 * Distributed locks for reactive code, as {@code TransactionalOperator} is for reactive transactions: the lock is
 * taken when the returned {@code Mono}/{@code Flux} is subscribed (one that is never subscribed takes none), is held
 * while the work runs, and is released when the work completes, fails or is cancelled. Each subscription is an
 * acquisition of its own, with a fresh UUID owner.
 *
 * <pre>{@code
 * Mono<Receipt> receipt = locks.executeLocked("order:42", LockOptions.waitFor(Duration.ofSeconds(5)),
 *         lock -> payments.charge(order));
 * Flux<Row> rows = locks.locked("report:daily", LockOptions.tryOnce(), reports.rows());
 * }</pre>
 *
 * <p>The same locks as {@link LockTemplate}'s (its store client, watchdog, metrics and default lease): the options'
 * wait time, with event-driven waking for stores that signal releases; renewal while the work runs; the hold time in
 * metrics is the work's. Errors, as signals: {@link LockNotAcquiredException} when another owner held the lock for
 * all of the wait time (the variants with {@code whenNotAcquired} switch to it instead), {@link LockStoreException}
 * when the store failed. A loss of the lock while the work runs, with {@code onLockLost = INTERRUPT}, cancels the work
 * and fails the pipeline with {@link LockLostException} at once; with {@code THROW}, the pipeline fails with it when
 * the work completes; with {@code CONTINUE} (the default), the work goes on (the loss is logged, counted and
 * published as for any lock).
 *
 * <p>Reentrancy is per pipeline, not per thread: locked work inside locked work on the same store and resource id runs
 * under the enclosing lock (the Reactor {@code Context} carries it: {@link ReactiveCurrentLock}), or fails with
 * {@link LockNotAcquiredException} when {@code reentrant} is off.
 *
 * <p>Threads: the store calls are blocking, so none runs on the subscribing thread: TryLock and Unlock run on
 * {@link Schedulers#boundedElastic()}, an acquisition that may wait on a bounded-elastic scheduler of its own
 * ({@value #WAIT_THREADS} threads at most), so that waiters never hold up the releases they wait for; renewals run on
 * the watchdog's threads. The work is subscribed on the thread that took the lock, and the pipeline's terminal signal
 * comes after the Unlock, on the thread that sent it. Thread-safe.
 */
public class ReactiveLockTemplate {

    /** Threads at most of the scheduler that acquisitions with a wait time block on. */
    public static final int WAIT_THREADS = 256;

    private static final class Waits {
        /** Daemon threads, made at the first waiting acquisition and gone after 60 s idle. */
        static final Scheduler SCHEDULER = Schedulers.newBoundedElastic(WAIT_THREADS,
                Schedulers.DEFAULT_BOUNDED_ELASTIC_QUEUESIZE, "distlock-lock-wait", 60, true);
    }

    private final WorkScopedLocks locks;
    private final Scheduler storeCalls;
    private final Scheduler waits;

    /** Locks of {@code template}: its store client, watchdog, metrics source and default lease. */
    public ReactiveLockTemplate(LockTemplate template) {
        this(template, Schedulers.boundedElastic(), null);
    }

    /**
     * @param storeCalls where TryLock without a wait, and Unlock, run: a scheduler whose threads may block
     * @param waits      where acquisitions with a wait time block; {@code null}: a shared scheduler of this class
     *                   ({@value #WAIT_THREADS} threads). Never the same as {@code storeCalls} when that one is
     *                   bounded: waiters could take all its threads and hold up the releases they wait for.
     */
    public ReactiveLockTemplate(LockTemplate template, Scheduler storeCalls, Scheduler waits) {
        this.locks = new WorkScopedLocks(template);
        this.storeCalls = Objects.requireNonNull(storeCalls, "storeCalls");
        this.waits = waits;
    }

    /**
     * Subscribes to the {@code Mono} of {@code work} while holding the lock on {@code resourceId}; see the class
     * comment. {@code work} is called once per subscription, after the lock is taken, with the lock.
     */
    public <T> Mono<T> executeLocked(String resourceId, LockOptions options,
            Function<? super LockHandle, ? extends Mono<? extends T>> work) {
        return lockedFlux(resourceId, options, work, null).singleOrEmpty();
    }

    /**
     * As {@link #executeLocked(String, LockOptions, Function)}, but when another owner held the lock for all of the
     * wait time, switches to {@code whenNotAcquired} ({@code Mono.empty()}: complete empty) instead of failing; such a
     * skip is logged at DEBUG and counted ({@code distributed.lock.skipped}).
     */
    public <T> Mono<T> executeLocked(String resourceId, LockOptions options,
            Function<? super LockHandle, ? extends Mono<? extends T>> work, Mono<? extends T> whenNotAcquired) {
        Objects.requireNonNull(whenNotAcquired, "whenNotAcquired");
        return lockedFlux(resourceId, options, work, whenNotAcquired).singleOrEmpty();
    }

    /** As {@link #executeLocked(String, LockOptions, Function)}, for work of any number of elements. */
    public <T> Flux<T> executeLockedMany(String resourceId, LockOptions options,
            Function<? super LockHandle, ? extends Publisher<? extends T>> work) {
        return lockedFlux(resourceId, options, work, null);
    }

    /** As {@link #executeLocked(String, LockOptions, Function, Mono)}, for work of any number of elements. */
    public <T> Flux<T> executeLockedMany(String resourceId, LockOptions options,
            Function<? super LockHandle, ? extends Publisher<? extends T>> work,
            Publisher<? extends T> whenNotAcquired) {
        Objects.requireNonNull(whenNotAcquired, "whenNotAcquired");
        return lockedFlux(resourceId, options, work, whenNotAcquired);
    }

    /** {@code mono}, subscribed while holding the lock on {@code resourceId}. */
    public <T> Mono<T> locked(String resourceId, LockOptions options, Mono<T> mono) {
        Objects.requireNonNull(mono, "mono");
        return executeLocked(resourceId, options, lock -> mono);
    }

    /** {@code flux}, subscribed while holding the lock on {@code resourceId}. */
    public <T> Flux<T> locked(String resourceId, LockOptions options, Flux<T> flux) {
        Objects.requireNonNull(flux, "flux");
        return executeLockedMany(resourceId, options, lock -> flux);
    }

    private <T> Flux<T> lockedFlux(String resourceId, LockOptions options,
            Function<? super LockHandle, ? extends Publisher<? extends T>> work,
            Publisher<? extends T> whenNotAcquired) {
        Objects.requireNonNull(options, "options");
        Objects.requireNonNull(work, "work");
        return Flux.deferContextual(context -> {
            String storeName = locks.resolveStoreName(options.storeName());
            LockHandle enclosing = ReactiveCurrentLock.held(context, storeName, resourceId);
            if (enclosing != null && enclosing.isHeld()) {
                return nested(enclosing, resourceId, storeName, options, work);
            }
            return Flux.usingWhen(acquire(resourceId, options, whenNotAcquired != null),
                    lock -> lock.isPresent() ? run(lock.get(), work) : Flux.from(whenNotAcquired),
                    lock -> release(lock, null), (lock, error) -> release(lock, error), lock -> release(lock, null));
        });
    }

    /** Work inside work that holds the lock: one hold more of it, or refused when not reentrant. */
    private static <T> Flux<T> nested(LockHandle enclosing, String resourceId, String storeName, LockOptions options,
            Function<? super LockHandle, ? extends Publisher<? extends T>> work) {
        if (!options.reentrant()) {
            return Flux.error(new LockNotAcquiredException(resourceId, storeName, "this pipeline already holds it "
                    + "in enclosing locked work, and reentrant is off for this call (waiting would wait for "
                    + "itself); make the call reentrant, or lock another key"));
        }
        return Flux.<T>defer(() -> {
            WorkScopedLocks.hold(enclosing);
            return Flux.<T>from(work.apply(enclosing)).doFinally(signal -> WorkScopedLocks.unhold(enclosing));
        });
    }

    /**
     * Takes the lock on a thread that may block. A lock taken after the subscriber cancelled is discarded by Reactor
     * and released here, so that a cancelled acquisition never leaves a lock behind; a cancelled wait is interrupted.
     */
    private Mono<Optional<LockHandle>> acquire(String resourceId, LockOptions options, boolean skip) {
        return Mono.<Optional<LockHandle>>create(sink -> {
            long subscribed = System.nanoTime();
            boolean waiting = options.waitNanos() > 0;
            Scheduler scheduler = !waiting ? storeCalls : waits != null ? waits : Waits.SCHEDULER;
            AtomicBoolean cancelled = new AtomicBoolean();
            Disposable task = scheduler.schedule(() -> {
                LockHandle lock;
                try {
                    lock = locks.lock(resourceId, waiting ? remainingWait(options, subscribed) : options);
                } catch (RuntimeException | Error e) {
                    if (!cancelled.get()) { // a cancelled wait is interrupted: no error to report
                        sink.error(e);
                    }
                    return;
                }
                if (lock == null) {
                    if (!skip) {
                        sink.error(locks.notAcquired(resourceId, options));
                        return;
                    }
                    locks.skipped(resourceId, options);
                }
                sink.success(Optional.ofNullable(lock));
            });
            sink.onCancel(() -> {
                cancelled.set(true);
                task.dispose();
            });
        }).doOnDiscard(Optional.class, lock -> lock.ifPresent(held -> storeCalls.schedule(
                () -> WorkScopedLocks.release((LockHandle) held, null))));
    }

    /** The options with the wait left since the subscription: time queued for a thread counts as waiting. */
    private static LockOptions remainingWait(LockOptions options, long subscribedNanos) {
        long left = options.waitNanos() - (System.nanoTime() - subscribedNanos);
        return options.toBuilder().waitTime(Duration.ofNanos(Math.max(0, left))).build();
    }

    /** The work under the lock: the lock in its Context, a loss told to it by {@code onLockLost}. */
    private static <T> Flux<T> run(LockHandle lock, Function<? super LockHandle, ? extends Publisher<? extends T>> work) {
        Sinks.One<Boolean> lost = Sinks.one();
        WorkScopedLocks.watchLoss(lock, () -> lost.tryEmitValue(Boolean.TRUE));
        return Flux.<T>defer(() -> Flux.<T>from(work.apply(lock)))
                .contextWrite(context -> ReactiveCurrentLock.with(context, lock))
                .takeUntilOther(lost.asMono())
                .doOnError(error -> {
                    LockLostException loss = WorkScopedLocks.failureAfterWork(lock);
                    if (loss != null) {
                        error.addSuppressed(loss);
                    }
                })
                .concatWith(Mono.defer(() -> {
                    LockLostException loss = WorkScopedLocks.failureAfterWork(lock);
                    return loss == null ? Mono.empty() : Mono.error(loss);
                }));
    }

    private Mono<Void> release(Optional<LockHandle> lock, Throwable error) {
        return lock.map(held -> Mono.<Void>fromRunnable(() -> WorkScopedLocks.release(held, error))
                .subscribeOn(storeCalls)).orElseGet(Mono::empty);
    }
}
