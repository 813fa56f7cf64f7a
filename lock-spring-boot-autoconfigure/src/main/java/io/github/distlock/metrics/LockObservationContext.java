package io.github.distlock.metrics;

import java.util.OptionalLong;

import io.micrometer.observation.Observation;

/**
 * What an acquire or hold observation ({@link LockObservationDocumentation}) is about: one acquisition of one lock.
 * Conventions read it to name and tag the observation.
 */
public class LockObservationContext extends Observation.Context {

    /** {@link #getResult()} of an acquire: the lock was taken. */
    public static final String ACQUIRED = "acquired";
    /** {@link #getResult()} of an acquire: another owner held it for all of the wait time (or it was interrupted). */
    public static final String NOT_ACQUIRED = "not_acquired";
    /** {@link #getResult()} of an acquire or hold: the store failed (TryLock, or the Unlock at the end). */
    public static final String ERROR = "error";
    /** {@link #getResult()} of a hold: Unlock (or the LockKeepAlive of {@code holdAtLeast}) answered SUCCESS. */
    public static final String RELEASED = "released";
    /** {@link #getResult()} of a hold: the lock was lost while held, or no longer held when released. */
    public static final String LOST = "lost";

    private final String storeName;
    private final String resourceId;
    private final String source;
    private final String owner;
    private volatile long fencingToken;
    private volatile String result;

    /**
     * @param storeName  the store's configured name (the default store resolved)
     * @param resourceId the resource id, before the key prefix
     * @param source     what takes the lock: {@link LockMetrics#SOURCE_TEMPLATE}, {@link LockMetrics#SOURCE_ANNOTATION}
     * @param owner      the acquisition's owner (a fresh UUID)
     */
    public LockObservationContext(String storeName, String resourceId, String source, String owner) {
        this.storeName = storeName;
        this.resourceId = resourceId;
        this.source = source;
        this.owner = owner;
    }

    public String getStoreName() {
        return storeName;
    }

    public String getResourceId() {
        return resourceId;
    }

    public String getSource() {
        return source;
    }

    public String getOwner() {
        return owner;
    }

    /** The grant's fencing token, when the store hands them out (holds only). */
    public OptionalLong getFencingToken() {
        long token = fencingToken;
        return token > 0 ? OptionalLong.of(token) : OptionalLong.empty();
    }

    void setFencingToken(long fencingToken) {
        this.fencingToken = fencingToken;
    }

    /**
     * How it ended: {@link #ACQUIRED}, {@link #NOT_ACQUIRED} or {@link #ERROR} for an acquire; {@link #RELEASED},
     * {@link #LOST} or {@link #ERROR} for a hold; {@code null} while it runs.
     */
    public String getResult() {
        return result;
    }

    void setResult(String result) {
        this.result = result;
    }
}
