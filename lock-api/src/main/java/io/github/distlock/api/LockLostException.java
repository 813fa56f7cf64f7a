package io.github.distlock.api;

/**
 * A lock was lost while it was held (see {@link LockLossCause}). Thrown by a locked call whose {@link OnLockLost} is
 * {@code THROW} or {@code INTERRUPT} when it returns after the loss, and by the check a Spring transaction begun
 * inside a lock makes before it commits (the transaction is then rolled back).
 */
public class LockLostException extends RuntimeException {

    private final String resourceId;
    private final String storeName;
    private final LockLossCause lossCause;

    /**
     * @param detail the cause in words, as in the WARN ("LockKeepAlive answered LOCK_UNEXIST", ...)
     */
    public LockLostException(String resourceId, String storeName, LockLossCause lossCause, String detail) {
        super("Lock '" + resourceId + "' in store '" + storeName + "' was lost while it was held: " + detail);
        this.resourceId = resourceId;
        this.storeName = storeName;
        this.lossCause = lossCause;
    }

    /** The resource id, before the key prefix is applied. */
    public String getResourceId() {
        return resourceId;
    }

    public String getStoreName() {
        return storeName;
    }

    public LockLossCause getLossCause() {
        return lossCause;
    }
}
