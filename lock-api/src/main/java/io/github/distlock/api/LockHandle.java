package io.github.distlock.api;

import java.time.Instant;
import java.util.OptionalLong;

/**
 * One acquisition of a distributed lock, held until {@link #release()} or {@link #close()}: made for a fresh owner
 * (a UUID) by every successful acquire, so it is never shared by two acquisitions.
 *
 * <pre>{@code
 * try (LockHandle lock = locks.acquire("order:42", LockOptions.waitFor(Duration.ofSeconds(5)))) {
 *     ... // lock.renew() to extend the lease of a long job
 * }
 * }</pre>
 *
 * <p>Safe to use from any thread. Releasing is idempotent: the first of {@link #release()} and {@link #close()} sends
 * Unlock, later calls send nothing.
 */
public interface LockHandle extends AutoCloseable {

    /** The store holding the lock, by its configured name (never empty: the default store is resolved). */
    String storeName();

    /** The resource id, before the key prefix is applied. */
    String resourceId();

    /** The lock owner sent with TryLock, Unlock and LockKeepAlive: a fresh UUID per acquisition. */
    String owner();

    /** The lease in seconds, set by TryLock and by every {@link #renew()}. */
    int expireSeconds();

    /** When TryLock granted the lock (wall clock of this JVM). */
    Instant acquiredAt();

    /**
     * The fencing token of this grant, when the store hands them out (stores implementing
     * {@code FencedLockStore}, such as in-memory); empty otherwise. Tokens of one key only grow.
     */
    OptionalLong fencingToken();

    /**
     * Whether this JVM still considers the lock held: true from the grant until it is released or found lost. It does
     * not ask the store; the watchdog that renews the lease does (every third of the lease), and turns this false
     * when a LockKeepAlive answers anything but SUCCESS, when renewals failed until the lease was over by this JVM's
     * clock, when the store reports the lock lost (ZooKeeper), or, with renewal off, when the lease has run out.
     */
    boolean isHeld();

    /**
     * How many calls hold this lock now: 1 for the acquisition, plus one for every reentrant call of the same thread
     * running inside it on the same store and resource id; 0 once released.
     */
    default int holdCount() {
        return isHeld() ? 1 : 0;
    }

    /**
     * Sends LockKeepAlive: the lease becomes {@link #expireSeconds()} from now. Locks of {@code LockTemplate} are
     * renewed by its watchdog already (unless renewal is off); an answer other than SUCCESS marks the lock lost.
     *
     * @return {@link LockStatus#SUCCESS}, or {@link LockStatus#LOCK_UNEXIST} / {@link LockStatus#LOCK_BELONG_TO_OTHERS}
     *         when the lease had run out (the lock is lost; it is not taken back)
     * @throws IllegalStateException when the handle was released
     * @throws LockStoreException    when the store did not answer
     */
    LockStatus renew();

    /**
     * Sends Unlock for this owner, once, and stops the renewal. Answers other than {@link LockStatus#SUCCESS} mean
     * the lock was lost while it was held (another owner may have held it meanwhile); they are logged as a WARN. With
     * {@code holdAtLeast}, a release sooner than that after the acquisition sends LockKeepAlive instead, so that the
     * lease ends {@code holdAtLeast} after the acquisition (rounded up to whole seconds), and returns its answer.
     *
     * @return Unlock's answer; later calls send nothing and return the first answer
     * @throws LockStoreException when the store did not answer (first call only; later calls return
     *                            {@link LockStatus#INTERNAL_ERROR}); the lock then ends with its lease
     */
    LockStatus release();

    /**
     * {@link #release()}, without throwing: a store failure is logged as a WARN (the lock ends with its lease), so
     * that it never hides the exception of a try-with-resources body.
     */
    @Override
    void close();
}
