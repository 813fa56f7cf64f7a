package io.github.distlock.core;

import io.github.distlock.api.LockStatus;
import io.github.distlock.api.UnlockRequest;
import io.github.distlock.spi.FencedLockStore;
import io.github.distlock.spi.HandOverLockStore;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

/**
 * The release of a lock taken through the {@link LocalLockQueue} while another acquisition of this JVM waits for it:
 * where the store can ({@link HandOverLockStore}), the lock passes to the next waiter in one store call instead of
 * the holder's Unlock and the waiter's TryLock, and the waiter enters with the hand-over's token. Anything else
 * (another store, nobody waiting, a lock the holder lost, a store failure) ends as a release by Unlock would, with
 * the same answer, and the waiter contends with the store as usual; so too when the store released the lock instead
 * ({@link HandOverLockStore#RELEASED}: another application's contender waits), which answers as the Unlock it was. A
 * hand-over the waiter no longer wants (it gave up meanwhile) is undone at once by an Unlock for the waiter's owner,
 * which is that acquisition's own UUID.
 */
final class LocalHandOver {

    private static final Log logger = LogFactory.getLog(LocalHandOver.class);

    private final DistributedLockClient client;
    private final LocalLockQueue queue;

    LocalHandOver(DistributedLockClient client, LocalLockQueue queue) {
        this.client = client;
        this.queue = queue;
    }

    /**
     * Releases the lock {@code owner} holds: hands it to the next waiter, or Unlock.
     *
     * @return what Unlock answers for {@code owner} (a hand-over that was made answers {@link LockStatus#SUCCESS})
     * @throws io.github.distlock.api.LockStoreException when the store failed, as Unlock throws
     */
    LockStatus release(String storeName, String resourceId, String owner) {
        LocalLockQueue.Waiter next = client.store(storeName) instanceof HandOverLockStore handing
                ? queue.offerHandOver(storeName, resourceId, owner, handing.maxHandOversInARow()) : null;
        if (next == null) {
            return unlock(storeName, resourceId, owner);
        }
        long sent = System.nanoTime();
        long token;
        try {
            token = client.handOver(storeName, resourceId, owner, next.owner(), next.expireSeconds());
        } catch (RuntimeException e) {
            return afterFailedHandOver(storeName, resourceId, owner, next, e);
        }
        if (token == HandOverLockStore.RELEASED) {
            // Released for the owner as its Unlock would have been, with that Unlock's answer; the waiter contends.
            queue.notHandedOver(next);
            return LockStatus.SUCCESS;
        }
        if (token == FencedLockStore.NOT_ACQUIRED) {
            // The owner no longer held it: Unlock tells the release why (expired, taken), before the waiter contends
            // and perhaps takes it (which would change the answer).
            try {
                return unlock(storeName, resourceId, owner);
            } finally {
                queue.notHandedOver(next);
            }
        }
        if (!queue.handedOver(next, token, sent)) {
            undo(storeName, resourceId, next);
            queue.notHandedOver(next);
        }
        return LockStatus.SUCCESS;
    }

    /**
     * The hand-over failed and may have been applied: Unlock for the owner, as a release without hand-over does, and
     * when that finds the lock not the owner's, an Unlock for the next owner tells whether the hand-over was applied
     * (and undoes it, so that the waiter's own TryLock does not find its owner's lock held).
     */
    private LockStatus afterFailedHandOver(String storeName, String resourceId, String owner,
            LocalLockQueue.Waiter next, RuntimeException failure) {
        logger.debug("Lock '" + resourceId + "' in store '" + storeName + "': hand-over failed; released by Unlock",
                failure);
        try {
            LockStatus status = unlock(storeName, resourceId, owner);
            return status != LockStatus.SUCCESS && undo(storeName, resourceId, next) ? LockStatus.SUCCESS : status;
        } catch (RuntimeException e) {
            undo(storeName, resourceId, next);
            e.addSuppressed(failure);
            throw e;
        } finally {
            queue.notHandedOver(next);
        }
    }

    /**
     * Unlock for the next waiter's owner, whose acquisition will not use a lock handed over to it.
     *
     * @return whether it held the lock; false too when the store failed (the lock then ends with its lease)
     */
    private boolean undo(String storeName, String resourceId, LocalLockQueue.Waiter next) {
        try {
            return client.unlock(new UnlockRequest(storeName, resourceId, next.owner())).status()
                    == LockStatus.SUCCESS;
        } catch (RuntimeException e) {
            logger.warn("Lock '" + resourceId + "' in store '" + storeName + "': a hand-over to a waiter that gave up "
                    + "could not be undone; it ends with its lease of " + next.expireSeconds() + " s", e);
            return false;
        }
    }

    private LockStatus unlock(String storeName, String resourceId, String owner) {
        return client.unlock(new UnlockRequest(storeName, resourceId, owner)).status();
    }
}
