package io.github.distlock.spi;

/**
 * Optional capability: a store that can tell when locks it holds were lost without any operation of theirs, such as
 * the ZooKeeper store when its connection is suspended or its session lost (its ephemeral nodes may be gone). The
 * library registers one listener per store, so the holder of each lock is told at once rather than at its next
 * renewal.
 */
public interface LockLossReporting extends LockStore {

    /** From now on, {@code listener} hears of every lock of this store reported lost. */
    void addLockLossListener(LockLossListener listener);

    /** {@code listener} hears nothing more; a listener not registered is ignored. */
    void removeLockLossListener(LockLossListener listener);

    /** Hears of locks a store lost. */
    @FunctionalInterface
    interface LockLossListener {

        /**
         * The lock of {@code owner} on {@code key} was lost. Called on a thread of the store (ZooKeeper: Curator's
         * connection-state thread): return quickly, do not call the store.
         *
         * @param key    the key as the store holds it (namespaced, as passed to {@code tryLock})
         * @param owner  the owner that held it
         * @param reason the cause in words, for logs ("ZooKeeper session 0x1f lost", ...)
         */
        void lockLost(String key, String owner, String reason);
    }
}
