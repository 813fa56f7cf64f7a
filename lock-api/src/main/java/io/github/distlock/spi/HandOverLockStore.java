package io.github.distlock.spi;

/**
 * Optional capability: a store that can pass a held lock straight from its owner to a next owner in one call, with a
 * new fencing token, instead of an Unlock by the one and a TryLock by the other. The template uses it when a lock is
 * released while another acquisition of the same JVM waits for it; the waiter then enters without a TryLock of its
 * own. A store whose token grows only with a new grant offers it only if it can make that grant and end the holder's
 * in one atomic step (ZooKeeper: one transaction deleting the holder's node and creating the next owner's); etcd does
 * not, and its locks keep passing by Unlock and TryLock.
 *
 * <p>The contract: after a hand-over that answered a token, {@code owner}'s Unlock answers
 * {@link io.github.distlock.api.LockStatus#LOCK_BELONG_TO_OTHERS} and {@code nextOwner}'s answers
 * {@link io.github.distlock.api.LockStatus#SUCCESS}; the token is larger than every earlier token of the key, as
 * {@link FencedLockStore} promises for any grant; the lease is {@code nextOwner}'s, from the hand-over. No release is
 * announced to waiters ({@link ReleaseAwaitingLockStore}): the key is held all along.
 */
public interface HandOverLockStore extends FencedLockStore {

    /**
     * When {@code owner} holds {@code key}, makes {@code nextOwner} its holder for {@code expireSeconds} from now, in
     * one atomic step.
     *
     * @param key           the namespaced key
     * @param owner         the current holder
     * @param nextOwner     the owner the lock passes to; not {@code owner}
     * @param expireSeconds the next holder's lease, in seconds (positive)
     * @return the next holder's fencing token (positive, larger than {@code owner}'s), or
     *         {@link FencedLockStore#NOT_ACQUIRED} when {@code owner} does not hold the key (no lock, another owner,
     *         lease over); then nothing changed
     * @throws RuntimeException when the store failed; the hand-over may or may not have been applied
     */
    long handOver(String key, String owner, String nextOwner, int expireSeconds);
}
