package io.github.distlock.actuate;

import java.security.Principal;
import java.time.Instant;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import io.github.distlock.api.LockStatus;
import io.github.distlock.api.LockStoreException;
import io.github.distlock.core.HeldLock;
import io.github.distlock.core.HeldLocks;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import org.springframework.boot.actuate.audit.listener.AuditApplicationEvent;
import org.springframework.boot.actuate.endpoint.OperationResponseBody;
import org.springframework.boot.actuate.endpoint.SecurityContext;
import org.springframework.boot.actuate.endpoint.annotation.DeleteOperation;
import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.actuate.endpoint.annotation.ReadOperation;
import org.springframework.boot.actuate.endpoint.annotation.Selector;
import org.springframework.boot.actuate.endpoint.web.WebEndpointResponse;
import org.springframework.context.ApplicationEventPublisher;

/**
 * {@code /actuator/locks}: the locks this instance holds now through {@code LockTemplate} and
 * {@code @DistributedLock} ({@link HeldLocks}); locks taken over the gRPC Lock API or {@code DistributedLockClient}
 * are not known to be held here, so they are not listed.
 *
 * <p>{@code DELETE /actuator/locks/{owner}} force-releases one of them, when
 * {@code management.endpoint.locks.force-release.enabled} is {@code true} (off by default): see
 * {@link HeldLocks#forceRelease}. It answers 200 with Unlock's answer, 403 while it is off, 404 when this instance
 * holds no lock of that owner, 503 when the store failed. Every attempt is logged (WARN) naming the principal and
 * published as an {@link AuditApplicationEvent} (stored by Spring Boot when an {@code AuditEventRepository} bean
 * exists).
 */
@Endpoint(id = "locks")
public class LocksEndpoint {

    /** Audit event type of a force-release that sent Unlock. */
    public static final String FORCE_RELEASED = "DISTRIBUTED_LOCK_FORCE_RELEASED";

    /** Audit event type of a force-release refused (switched off, or no such lock held here). */
    public static final String FORCE_RELEASE_REFUSED = "DISTRIBUTED_LOCK_FORCE_RELEASE_REFUSED";

    private static final int STATUS_FORBIDDEN = 403;

    static final String ENABLED_PROPERTY = "management.endpoint.locks.force-release.enabled";

    private static final Log logger = LogFactory.getLog(LocksEndpoint.class);

    private final HeldLocks heldLocks;
    private final boolean forceReleaseEnabled;
    private final ApplicationEventPublisher events;

    /**
     * @param forceReleaseEnabled whether {@link #forceRelease} may release ({@value #ENABLED_PROPERTY})
     * @param events              where audit events go
     */
    public LocksEndpoint(HeldLocks heldLocks, boolean forceReleaseEnabled, ApplicationEventPublisher events) {
        this.heldLocks = heldLocks;
        this.forceReleaseEnabled = forceReleaseEnabled;
        this.events = events;
    }

    /** The locks held now, oldest first. */
    @ReadOperation
    public LocksDescriptor locks() {
        List<LockDescriptor> locks = heldLocks.describe().stream()
                .sorted(Comparator.comparing(HeldLock::acquiredAt)).map(LockDescriptor::new).toList();
        return new LocksDescriptor(locks);
    }

    /**
     * Force-releases the lock this instance holds for {@code owner}.
     *
     * @param owner the lock's owner, as {@link #locks()} lists it
     */
    @DeleteOperation
    public WebEndpointResponse<ForceReleaseDescriptor> forceRelease(SecurityContext securityContext,
            @Selector String owner) {
        String who = who(securityContext);
        Optional<HeldLock> lock = heldLocks.describe().stream().filter(held -> held.owner().equals(owner))
                .findFirst();
        if (!forceReleaseEnabled) {
            return refused(who, owner, lock, STATUS_FORBIDDEN, "Force-release is off; set "
                    + ENABLED_PROPERTY + "=true to allow it.");
        }
        if (lock.isEmpty()) {
            return refused(who, owner, lock, WebEndpointResponse.STATUS_NOT_FOUND, "This instance holds no lock of "
                    + "owner '" + owner + "': it was released, or another instance holds it (each instance "
                    + "releases only its own locks).");
        }
        HeldLock held = lock.get();
        String subject = "Lock '" + held.resourceId() + "' in store '" + held.storeName() + "' (owner " + owner
                + ", source " + held.source() + ")";
        Optional<LockStatus> status;
        try {
            status = heldLocks.forceRelease(owner, "force-released by '" + who + "' through the locks endpoint");
        } catch (LockStoreException e) {
            logger.warn(subject + ": force-release by '" + who + "' sent Unlock, which failed (" + e.getMessage()
                    + "); the lock is no longer renewed and ends with its lease");
            publish(who, FORCE_RELEASED, held, owner, "error");
            return new WebEndpointResponse<>(new ForceReleaseDescriptor(held, "ERROR", e.getMessage()),
                    WebEndpointResponse.STATUS_SERVICE_UNAVAILABLE);
        }
        if (status.isEmpty()) {
            return refused(who, owner, lock, WebEndpointResponse.STATUS_NOT_FOUND, "Its holder released it first.");
        }
        String outcome = status.get() == LockStatus.SUCCESS ? "Released; its holder is told it lost the lock."
                : "The store no longer held it for this owner (its lease had run out, or it was released already); "
                        + "its holder is told it lost the lock.";
        logger.warn(subject + " was force-released by '" + who + "' through the locks endpoint: Unlock answered "
                + status.get() + ". " + outcome);
        publish(who, FORCE_RELEASED, held, owner, status.get().name());
        return new WebEndpointResponse<>(new ForceReleaseDescriptor(held, status.get().name(), outcome),
                WebEndpointResponse.STATUS_OK);
    }

    private WebEndpointResponse<ForceReleaseDescriptor> refused(String who, String owner, Optional<HeldLock> lock,
            int httpStatus, String reason) {
        logger.warn("Force-release of the lock of owner " + owner + " asked by '" + who + "' was refused: " + reason);
        publish(who, FORCE_RELEASE_REFUSED, lock.orElse(null), owner, reason);
        ForceReleaseDescriptor body = lock.map(held -> new ForceReleaseDescriptor(held, null, reason))
                .orElseGet(() -> new ForceReleaseDescriptor(null, null, owner, null, reason));
        return new WebEndpointResponse<>(body, httpStatus);
    }

    private void publish(String who, String type, HeldLock lock, String owner, String outcome) {
        Map<String, Object> data = new LinkedHashMap<>();
        if (lock != null) {
            data.put("store", lock.storeName());
            data.put("key", lock.resourceId());
        }
        data.put("owner", owner);
        data.put("outcome", outcome);
        events.publishEvent(new AuditApplicationEvent(who, type, data));
    }

    private static String who(SecurityContext securityContext) {
        Principal principal = securityContext != null ? securityContext.getPrincipal() : null;
        return principal != null ? principal.getName() : "anonymous";
    }

    /** The response of {@link #locks()}. */
    public record LocksDescriptor(List<LockDescriptor> locks) implements OperationResponseBody {
    }

    /**
     * One held lock (see {@link HeldLock}): times as ISO-8601 instants, {@code leaseRemainingMillis} in milliseconds
     * by this JVM's clock, {@code fencingToken} null when the store hands out none.
     */
    public record LockDescriptor(String store, String key, String owner, String source, Instant acquiredAt,
            int expireSeconds, long leaseRemainingMillis, int renewals, int holdCount, Long fencingToken,
            boolean held) {

        LockDescriptor(HeldLock lock) {
            this(lock.storeName(), lock.resourceId(), lock.owner(), lock.source(), lock.acquiredAt(),
                    lock.expireSeconds(), lock.leaseRemaining().toMillis(), lock.renewals(), lock.holdCount(),
                    lock.fencingToken().isPresent() ? lock.fencingToken().getAsLong() : null, lock.held());
        }
    }

    /** The response of {@link #forceRelease}: the lock, Unlock's answer (null when none was sent) and a message. */
    public record ForceReleaseDescriptor(String store, String key, String owner, String status, String message)
            implements OperationResponseBody {

        ForceReleaseDescriptor(HeldLock lock, String status, String message) {
            this(lock.storeName(), lock.resourceId(), lock.owner(), status, message);
        }
    }
}
