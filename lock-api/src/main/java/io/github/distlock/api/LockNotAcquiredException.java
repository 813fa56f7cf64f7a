package io.github.distlock.api;

/** A {@code @DistributedLock} method did not run because another owner held its lock. */
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
