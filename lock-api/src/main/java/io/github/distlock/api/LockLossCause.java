package io.github.distlock.api;

/** Why a held lock counts as lost ({@link LockLostEvent#cause()}, {@link LockLostException#getLossCause()}). */
public enum LockLossCause {

    /** A LockKeepAlive (a renewal, or the check before a transaction commits) answered anything but SUCCESS. */
    KEEP_ALIVE_REFUSED,

    /**
     * Renewals failed with store errors (or got no answer) until the lease, counted on this JVM's monotonic clock
     * from the last successful TryLock or LockKeepAlive, was over.
     */
    STORE_FAILING,

    /** Renewal was off and the lease ran out while the lock was held. */
    LEASE_EXPIRED,

    /** The store reported the lock lost, e.g. the ZooKeeper connection was suspended or its session lost. */
    STORE_REPORTED,

    /**
     * An operator released it while its holder still ran (the {@code locks} actuator endpoint's force-release): its
     * own owner's Unlock was sent on the holder's behalf.
     */
    FORCE_RELEASED
}
