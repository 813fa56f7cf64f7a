package io.github.distlock.spi;

/**
 * Optional capability: a store that can pass a held lock straight from its owner to a next owner in one call, with a
 * new fencing token, instead of an Unlock by the one and a TryLock by the other. The template uses it when a lock is
 * released while another acquisition of the same JVM waits for it; the waiter then enters without a TryLock of its
 * own. The hand-over must end the holder's grant and make the next owner's in one atomic step (Redis: one script;
 * ZooKeeper: one transaction deleting the holder's node and creating the next owner's; etcd: one transaction putting
 * the next owner on its own lease if the value is still the holder).
 *
 * <p>The contract: after a hand-over that answered a token, {@code owner}'s Unlock answers
 * {@link io.github.distlock.api.LockStatus#LOCK_BELONG_TO_OTHERS} and {@code nextOwner}'s answers
 * {@link io.github.distlock.api.LockStatus#SUCCESS}; the token is larger than every earlier token of the key, as
 * {@link FencedLockStore} promises for any grant; the lease is {@code nextOwner}'s, from the hand-over. No release is
 * announced to waiters ({@link ReleaseAwaitingLockStore}): the key is held all along.
 *
 * <p>Hand-overs keep a lock within one application while it has waiters, so the releasing side also makes room for
 * other applications' contenders: after {@link #maxHandOversInARow()} hand-overs in a row a release goes by Unlock,
 * which is announced to every application's waiters. A store that can tell that a contender of another application
 * waits may instead answer {@link #RELEASED}, and then allow many hand-overs in a row.
 */
public interface HandOverLockStore extends FencedLockStore {

    /**
     * {@link #handOver}'s answer when a contender of another application (a failed TryLock through another store
     * instance) waits for the key: instead of handing it over, the store released it exactly as {@code owner}'s
     * Unlock answering {@link io.github.distlock.api.LockStatus#SUCCESS} does (announced to waiters as Unlock
     * announces it), so that every application's contenders race for it. Neither a token nor
     * {@link FencedLockStore#NOT_ACQUIRED}.
     */
    long RELEASED = -2;

    /**
     * How many hand-overs in a row one application makes within its own waiters before a release goes by Unlock,
     * so that contenders of other applications get a chance at the lock. The default, 16, suits a store that never
     * answers {@link #RELEASED}; one that does needs the count only for contenders that do not show themselves
     * (e.g. an older version during a rolling upgrade) and may allow more.
     *
     * @return a count of hand-overs (positive)
     */
    default int maxHandOversInARow() {
        return 16;
    }

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
     *         lease over); then nothing changed; or {@link #RELEASED}, when the store released the key instead
     * @throws RuntimeException when the store failed; the hand-over may or may not have been applied
     */
    long handOver(String key, String owner, String nextOwner, int expireSeconds);
}
