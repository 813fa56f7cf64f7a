package io.github.distlock.api;

import java.time.Instant;
import java.util.Objects;
import java.util.OptionalLong;

/**
 * A lock held by this instance was lost while it was held: published (as a Spring application event) once per lost
 * lock, after its holder's {@code LockHandle.isHeld()} turned false, on a thread of the library, not the holder's.
 *
 * <pre>{@code
 * @EventListener
 * void onLockLost(LockLostEvent lost) {
 *     alerts.raise("lock " + lost.resourceId() + " lost: " + lost.detail());
 * }
 * }</pre>
 *
 * @param storeName    the store's configured name
 * @param resourceId   the resource id, before the key prefix
 * @param owner        the lock owner of the lost acquisition (a UUID)
 * @param cause        why it counts as lost
 * @param detail       the cause in words, as in the WARN ("LockKeepAlive answered LOCK_UNEXIST", ...)
 * @param fencingToken the grant's fencing token, when the store hands them out
 * @param lostAt       when the loss was detected (wall clock of this JVM)
 */
public record LockLostEvent(String storeName, String resourceId, String owner, LockLossCause cause, String detail,
        OptionalLong fencingToken, Instant lostAt) {

    public LockLostEvent {
        Objects.requireNonNull(storeName, "storeName");
        Objects.requireNonNull(resourceId, "resourceId");
        Objects.requireNonNull(owner, "owner");
        Objects.requireNonNull(cause, "cause");
        Objects.requireNonNull(detail, "detail");
        Objects.requireNonNull(fencingToken, "fencingToken");
        Objects.requireNonNull(lostAt, "lostAt");
    }
}
