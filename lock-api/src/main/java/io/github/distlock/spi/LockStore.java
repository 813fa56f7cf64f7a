package io.github.distlock.spi;

import io.github.distlock.api.LockStatus;

/**
 * What a lock store implements: the three operations of the Lock API on one key.
 *
 * <p>{@code DistributedLockClient} validates every request and applies the key prefix before calling a store, so
 * a store may assume: {@code key} and {@code owner} are non-blank, {@code expireSeconds >= 1}. Keys may contain
 * any character; a store that cannot hold some characters natively must encode them.
 *
 * <p>Rules every store follows (the contract test suite checks them):
 * <ul>
 *   <li>Locks are not reentrant: {@code tryLock} on a held key fails, even for the same owner.</li>
 *   <li>A lock whose lease is over is free: a new owner may take it, and the old owner's unlock or keepAlive
 *       answers {@link LockStatus#LOCK_UNEXIST} (nobody holds it) or {@link LockStatus#LOCK_BELONG_TO_OTHERS}.</li>
 *   <li>Nothing is done on another owner's behalf: unlock and keepAlive change the lock only when the owner
 *       matches, atomically.</li>
 *   <li>When the store cannot answer, a method throws (any {@link RuntimeException}; the client wraps it in a
 *       {@code LockStoreException}); it never reports "not acquired" for a failure.</li>
 * </ul>
 *
 * <p>Optional capabilities are separate interfaces a store may also implement, such as
 * {@link ReleaseAwaitingLockStore} and {@link FencedLockStore}. A store that holds resources implements
 * {@link AutoCloseable}; the registry closes it on shutdown.
 */
public interface LockStore {

    /** Takes {@code key} for {@code owner} for {@code expireSeconds}, if nobody holds it. */
    boolean tryLock(String key, String owner, int expireSeconds);

    /** Releases {@code key} if {@code owner} holds it. */
    LockStatus unlock(String key, String owner);

    /** Sets the lease of {@code key} to {@code expireSeconds} from now, if {@code owner} holds it. */
    LockStatus keepAlive(String key, String owner, int expireSeconds);
}
