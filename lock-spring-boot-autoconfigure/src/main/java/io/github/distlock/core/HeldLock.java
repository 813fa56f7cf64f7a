package io.github.distlock.core;

import java.time.Duration;
import java.time.Instant;
import java.util.OptionalLong;

/**
 * One lock of {@link HeldLocks}, as it stands when {@link HeldLocks#describe()} was called.
 *
 * @param storeName      the store's configured name (the default store resolved)
 * @param resourceId     the resource id, before the key prefix
 * @param owner          the owner of its TryLock, Unlock and LockKeepAlive: a fresh UUID per acquisition, unique
 *                       among held locks (so it names one in {@link HeldLocks#forceRelease})
 * @param source         what took it: {@code template} (application code), {@code annotation}
 *                       ({@code @DistributedLock}), or another metrics source
 * @param acquiredAt     when TryLock granted it (wall clock of this JVM)
 * @param expireSeconds  the lease in seconds, set by TryLock and by every renewal
 * @param leaseRemaining what is left of the lease by this JVM's monotonic clock, counted from when the last
 *                       successful TryLock or LockKeepAlive was sent: the store's lease ends no sooner; zero once
 *                       over
 * @param renewals       LockKeepAlives that answered SUCCESS since the grant
 * @param holdCount      calls holding it now: 1, plus reentrant calls of its thread
 * @param fencingToken   the grant's fencing token, when the store hands them out
 * @param held           whether this JVM still considers it held ({@code false} once lost, while the holder still
 *                       runs: the holder has been told and releases it when its call ends)
 */
public record HeldLock(String storeName, String resourceId, String owner, String source, Instant acquiredAt,
        int expireSeconds, Duration leaseRemaining, int renewals, int holdCount, OptionalLong fencingToken,
        boolean held) {
}
