package io.github.distlock.core;

import java.util.Objects;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Future;
import java.util.function.Supplier;

import io.github.distlock.api.LockHandle;
import io.github.distlock.api.LockLostException;
import io.github.distlock.api.LockNotAcquiredException;
import io.github.distlock.api.LockOptions;
import io.github.distlock.api.OnLockLost;

/**
 * Locks held by a unit of work that is not bound to a thread (a {@link CompletionStage}, a reactive pipeline) rather
 * than by a call: released when the work ends, not when the method that started it returns. Taken, renewed, watched
 * for loss, counted and listed exactly as {@link LockTemplate}'s (they are its locks, with its metrics source); what
 * differs is the scope, and that a loss is told to the work through a callback instead of a thread interrupt.
 *
 * <p>{@link #executeLocked} is the {@link CompletionStage} path ({@code @DistributedLock} on a method returning
 * {@code CompletableFuture}); the other methods are the building blocks of the reactive path
 * ({@code io.github.distlock.reactive}), which decides for itself on which thread each blocking step runs.
 */
public final class WorkScopedLocks {

    private final LockTemplate template;

    /** Locks of {@code template}: its store client, watchdog, metrics source and default lease. */
    public WorkScopedLocks(LockTemplate template) {
        this.template = Objects.requireNonNull(template, "template");
    }

    /**
     * Runs {@code callback}, which starts asynchronous work and returns its stage, while holding the lock on
     * {@code resourceId}, and releases the lock when that stage completes (normally, exceptionally or by
     * cancellation). The lock is taken on the calling thread, waiting up to the options' wait time, and is
     * {@link CurrentLock#get()} on it while the callback runs; when the thread already holds the lock in an enclosing
     * call, the callback runs under that lock as {@link LockTemplate#executeLocked} does. The lock is released on the
     * thread that completes the stage.
     *
     * <p>Lock failures (not acquired, store failure) come as a failed future, as the work's own failures do; with
     * {@code onLockLost = INTERRUPT} a loss fails the returned future at once with {@link LockLostException} and
     * cancels the work's future, with {@code THROW} the returned future fails with it when the work completes.
     * Cancelling the returned future cancels the work's future, and so releases the lock.
     *
     * @param whenNotAcquired what the returned future completes with when another owner held the lock for all of the
     *                        wait time (a skip, counted and logged at DEBUG), or {@code null} to fail it with
     *                        {@link LockNotAcquiredException}
     * @return a future completed after the release with the work's outcome; {@code null} when the callback returned
     *         {@code null} (the lock is then released at once)
     * @throws E what the callback threw, after the release
     */
    public <T, E extends Throwable> CompletableFuture<T> executeLocked(String resourceId, LockOptions options,
            LockCallback<? extends CompletionStage<T>, E> callback, Supplier<? extends T> whenNotAcquired) throws E {
        Objects.requireNonNull(callback, "callback");
        TemplateLockHandle enclosing;
        TemplateLockHandle lock = null;
        try {
            enclosing = template.heldByThisThread(resourceId, options);
            if (enclosing == null) {
                lock = template.lock(resourceId, options);
            }
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
        if (enclosing != null) {
            enclosing.watch.hold();
            try {
                CompletionStage<T> stage = callback.doInLock(enclosing);
                return stage == null ? null : stage.toCompletableFuture();
            } finally {
                enclosing.watch.unhold();
            }
        }
        if (lock == null) {
            if (whenNotAcquired == null) {
                return CompletableFuture.failedFuture(template.notAcquired(resourceId, options));
            }
            template.skipped(resourceId, options);
            return CompletableFuture.completedFuture(whenNotAcquired.get());
        }
        CompletionStage<T> stage = null;
        Throwable thrown = null;
        CurrentLock.bind(lock);
        try {
            stage = callback.doInLock(lock);
        } catch (Throwable t) {
            thrown = t;
            throw t;
        } finally {
            CurrentLock.unbind(lock);
            if (stage == null) {
                lock.releaseAfter(thrown);
            }
        }
        return stage == null ? null : releasedWhenDone(lock, stage);
    }

    private static <T> CompletableFuture<T> releasedWhenDone(TemplateLockHandle lock, CompletionStage<T> stage) {
        CompletableFuture<T> result = new CompletableFuture<>();
        if (lock.watch.onLockLost == OnLockLost.INTERRUPT) {
            lock.watch.enterWork(() -> {
                result.completeExceptionally(lock.watch.lostException());
                if (stage instanceof Future<?> work) {
                    work.cancel(true);
                }
            });
        }
        stage.whenComplete((value, failure) -> {
            Throwable cause = failure instanceof CompletionException wrapped && wrapped.getCause() != null
                    ? wrapped.getCause() : failure;
            lock.releaseAfter(cause);
            LockLostException lost = lock.watch.failureAfterCall();
            if (cause == null) {
                if (lost == null) {
                    result.complete(value);
                } else {
                    result.completeExceptionally(lost);
                }
            } else {
                if (lost != null && !(cause instanceof CancellationException)) {
                    cause.addSuppressed(lost);
                }
                result.completeExceptionally(lost != null && cause instanceof CancellationException ? lost : cause);
            }
        });
        if (stage instanceof Future<?> work) {
            // Cancelling the caller's future cancels the work; its completion releases the lock.
            result.whenComplete((value, failure) -> {
                if (result.isCancelled()) {
                    work.cancel(true);
                }
            });
        }
        return result;
    }

    /**
     * Takes the lock for work about to start, waiting up to the options' wait time: blocking, so call it where a
     * thread may block. Thread-bound reentrancy ({@link CurrentLock}) is not looked at: work that is not bound to a
     * thread keeps its enclosing locks itself (the reactive path in the Reactor {@code Context}).
     *
     * @return the lock, or {@code null} when another owner held it for all of the wait time
     * @throws LockNotAcquiredException and the other exceptions of {@link LockTemplate#acquire}, but for
     *                                  {@code onLockLost}, which {@link #watchLoss} and {@link #failureAfterWork}
     *                                  apply here
     */
    public LockHandle lock(String resourceId, LockOptions options) {
        return template.lock(resourceId, options);
    }

    /** The store the options name: the default store's name when they name none. */
    public String resolveStoreName(String storeName) {
        return template.client().resolveStoreName(storeName);
    }

    /** Counts and logs (DEBUG) a call skipped because another owner held the lock. */
    public void skipped(String resourceId, LockOptions options) {
        template.skipped(resourceId, options);
    }

    /** The exception of a lock another owner held for all of the wait time, worded by the options' wait. */
    public LockNotAcquiredException notAcquired(String resourceId, LockOptions options) {
        return template.notAcquired(resourceId, options);
    }

    /**
     * The work of {@code lock} started: with {@code onLockLost = INTERRUPT}, {@code onLoss} runs once when the lock
     * is lost (at once when it was lost already), on the thread that found the loss; it must return quickly. With
     * any other {@code onLockLost}, nothing.
     */
    public static void watchLoss(LockHandle lock, Runnable onLoss) {
        WatchedLock watch = handle(lock).watch;
        if (watch.onLockLost == OnLockLost.INTERRUPT) {
            watch.enterWork(Objects.requireNonNull(onLoss, "onLoss"));
        }
    }

    /** What the work must fail with once it ended: the loss, when lost and {@code onLockLost} is not CONTINUE. */
    public static LockLostException failureAfterWork(LockHandle lock) {
        return handle(lock).watch.failureAfterCall();
    }

    /**
     * Releases {@code lock} after its work ended, without throwing (blocking: one Unlock): a store failure is logged
     * and added to {@code failure}, the work's own exception, when given.
     */
    public static void release(LockHandle lock, Throwable failure) {
        handle(lock).releaseAfter(failure);
    }

    /** One reentrant hold more of {@code lock} (work nested in its work); {@link #unhold} ends it. */
    public static void hold(LockHandle lock) {
        handle(lock).watch.hold();
    }

    public static void unhold(LockHandle lock) {
        handle(lock).watch.unhold();
    }

    private static TemplateLockHandle handle(LockHandle lock) {
        if (lock instanceof TemplateLockHandle handle) {
            return handle;
        }
        throw new IllegalArgumentException(lock + " was not taken by WorkScopedLocks.lock");
    }
}
