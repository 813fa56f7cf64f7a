package io.github.distlock.spi;

/**
 * Optional capability: a store that hands out a fencing token with every grant. Tokens of one key only grow, so a
 * resource that remembers the largest token it has seen can refuse a write from a holder whose lease ran out
 * while it was paused (a garbage-collection pause, say) and whose lock was taken over since.
 */
public interface FencedLockStore extends LockStore {

    /** Returned by {@link #tryLockFenced} when the lock was not taken. */
    long NOT_ACQUIRED = -1;

    /** Like {@link #tryLock}, but returns the grant's fencing token (positive), or {@link #NOT_ACQUIRED}. */
    long tryLockFenced(String key, String owner, int expireSeconds);
}
