package io.github.distlock.core;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import io.github.distlock.api.LockHandle;

/**
 * The locks held by the running {@link LockTemplate#executeLocked} callbacks and {@code @DistributedLock} methods of
 * this thread, innermost first, as Spring's {@code TransactionSynchronizationManager} holds transactions: code deep in
 * a call reads the lock it runs under without passing it along.
 *
 * <pre>{@code
 * CurrentLock.get().ifPresent(lock -> audit.record(lock.resourceId(), lock.owner()));
 * }</pre>
 *
 * Handles taken with {@link LockTemplate#acquire} are not listed: their scope is the caller's, not a call's. Nested
 * locks stack and unwind with their calls, also when a call throws. A reentrant call (same store and resource id as
 * an enclosing one) runs under the enclosing call's lock and does not stack it again.
 */
public final class CurrentLock {

    /** The innermost handle; each handle links to the one it is nested in, so binding allocates nothing. */
    private static final ThreadLocal<TemplateLockHandle> INNERMOST = new ThreadLocal<>();

    private CurrentLock() {
    }

    /** The innermost lock held by a running callback or {@code @DistributedLock} method of this thread. */
    public static Optional<LockHandle> get() {
        return Optional.ofNullable(INNERMOST.get());
    }

    /**
     * The innermost held lock on {@code resourceId} in {@code storeName}, among those of {@link #get()} and the calls
     * around it.
     *
     * @param storeName the store's configured name ({@link LockHandle#storeName()}; the default store is not
     *                  assumed for an empty name)
     * @param resourceId the resource id, before the key prefix
     */
    public static Optional<LockHandle> find(String storeName, String resourceId) {
        return Optional.ofNullable(held(storeName, resourceId));
    }

    /** Every lock of {@link #get()} and the calls around it, innermost first. */
    public static List<LockHandle> all() {
        List<LockHandle> locks = new ArrayList<>();
        for (TemplateLockHandle lock = INNERMOST.get(); lock != null; lock = lock.outer) {
            locks.add(lock);
        }
        return locks;
    }

    /** As {@link #find}, without the {@code Optional}: for the lock path. */
    static TemplateLockHandle held(String storeName, String resourceId) {
        for (TemplateLockHandle lock = INNERMOST.get(); lock != null; lock = lock.outer) {
            if (lock.storeName().equals(storeName) && lock.resourceId().equals(resourceId)) {
                return lock;
            }
        }
        return null;
    }

    static void bind(TemplateLockHandle lock) {
        lock.outer = INNERMOST.get();
        INNERMOST.set(lock);
    }

    /** Unbinds {@code lock}, the innermost; its calls nest, so they unwind in order. */
    static void unbind(TemplateLockHandle lock) {
        // set(null), not remove(): the thread's next lock then reuses the entry instead of allocating one.
        INNERMOST.set(lock.outer);
        lock.outer = null;
    }
}
