package io.github.distlock.api;

/**
 * A lock was not acquired: another owner held it (for all of the wait time, if there was one), or the waiting thread
 * was interrupted (its interrupt flag is set again). Thrown by {@code LockTemplate.acquire} and
 * {@code executeLocked}, and by a {@code @DistributedLock} method whose {@code onFailure} is {@code THROW}.
 */
public class LockNotAcquiredException extends RuntimeException {

    private final String resourceId;
    private final String storeName;

    public LockNotAcquiredException(String resourceId, String storeName, String reason) {
        this(resourceId, storeName, reason, null);
    }

    public LockNotAcquiredException(String resourceId, String storeName, String reason, Throwable cause) {
        super("Lock '" + resourceId + "' in store '" + storeName + "' was not acquired: " + reason, cause);
        this.resourceId = resourceId;
        this.storeName = storeName;
    }

    /** The resource id (the evaluated {@code key}), before the key prefix is applied. */
    public String getResourceId() {
        return resourceId;
    }

    public String getStoreName() {
        return storeName;
    }
}
