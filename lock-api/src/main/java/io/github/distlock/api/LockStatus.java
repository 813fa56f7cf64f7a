package io.github.distlock.api;

/**
 * Result of Unlock and LockKeepAlive, as in the seed's {@code UnlockResponse.Status} and
 * {@code LockKeepAliveResponse.Status} (same names, same order, same wire numbers).
 */
public enum LockStatus {
    /** The caller held the lock and the operation took effect. */
    SUCCESS,
    /** Nobody holds the lock (never taken, released, or its lease expired). */
    LOCK_UNEXIST,
    /** Another owner holds the lock; nothing was changed. */
    LOCK_BELONG_TO_OTHERS,
    /**
     * The store could not tell; used on the wire. The Java API throws {@link LockStoreException} instead, and only
     * {@link LockHandle#release()} answers it, when called again after an Unlock that failed.
     */
    INTERNAL_ERROR
}
