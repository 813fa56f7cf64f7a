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
     * Whether this JVM still considers the lock held: true from the grant until it is released. It does not ask the
     * store, so a lease that ran out unnoticed still counts as held.
     */
    boolean isHeld();

    /**
     * Sends LockKeepAlive: the lease becomes {@link #expireSeconds()} from now.
     *
     * @return {@link LockStatus#SUCCESS}, or {@link LockStatus#LOCK_UNEXIST} / {@link LockStatus#LOCK_BELONG_TO_OTHERS}
     *         when the lease had run out (the lock is lost; it is not taken back)
     * @throws IllegalStateException when the handle was released
     * @throws LockStoreException    when the store did not answer
     */
    LockStatus renew();

    /**
     * Sends Unlock for this owner, once. Answers other than {@link LockStatus#SUCCESS} mean the lease ran out while
     * the lock was held (another owner may have held it meanwhile); they are logged as a WARN.
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
