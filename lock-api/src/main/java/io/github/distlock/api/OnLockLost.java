package io.github.distlock.api;

/**
 * What a locked call ({@code @DistributedLock} method, {@code LockTemplate.executeLocked} callback) does when its
 * lock is lost while it runs: a LockKeepAlive answered anything but {@link LockStatus#SUCCESS}, renewals failed with
 * store errors until the lease was over, or the store reported the lock lost (a ZooKeeper session). The holder is
 * always told: its {@code LockHandle.isHeld()} turns false, a WARN names the key, store and cause, the
 * {@code distributed.lock.lost} counter counts it and a {@link LockLostEvent} is published. This says what happens
 * besides.
 */
public enum OnLockLost {

    /** The default: the call goes on and returns (or throws) as it would have. */
    CONTINUE,

    /**
     * The call fails with {@link LockLostException} when it returns normally after a loss; when it throws, its own
     * exception reaches the caller with the {@link LockLostException} added as suppressed.
     */
    THROW,

    /**
     * As {@link #THROW}, and the thread running the call is interrupted at the moment of the loss, so that blocking
     * work ({@code Thread.sleep}, {@code Object.wait}, interruptible I/O) stops early. The interrupt is delivered only
     * while the call runs, and the flag it set is cleared when the call ends.
     */
    INTERRUPT
}
