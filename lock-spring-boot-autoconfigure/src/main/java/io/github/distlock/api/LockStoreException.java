package io.github.distlock.api;

/**
 * A store could not answer (unreachable, timed out, refused). Never turned into {@code success=false}: the caller
 * cannot know whether the lock was taken, so it must not proceed as if it were refused or granted.
 */
public class LockStoreException extends RuntimeException {

    private final String storeName;

    public LockStoreException(String storeName, String operation, Throwable cause) {
        super("Lock store '" + storeName + "' failed during " + operation + ": " + describe(cause), cause);
        this.storeName = storeName;
    }

    public LockStoreException(String storeName, String message) {
        super("Lock store '" + storeName + "': " + message);
        this.storeName = storeName;
    }

    public String getStoreName() {
        return storeName;
    }

    private static String describe(Throwable cause) {
        if (cause == null) {
            return "unknown cause";
        }
        String message = cause.getMessage();
        return message == null ? cause.getClass().getName() : cause.getClass().getSimpleName() + ": " + message;
    }
}
