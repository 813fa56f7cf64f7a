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
        String description = summary(cause);
        // Clients wrap the telling error ("WRONGPASS invalid username-password pair") in generic ones ("Unable to
        // connect to Redis"): name the innermost one too.
        Throwable root = cause;
        for (int depth = 0; depth < 20 && root.getCause() != null && root.getCause() != root; depth++) {
            root = root.getCause();
        }
        if (root != cause && (root.getMessage() == null || !description.contains(root.getMessage()))) {
            description += "; caused by " + summary(root);
        }
        return description;
    }

    private static String summary(Throwable failure) {
        String message = failure.getMessage();
        return message == null ? failure.getClass().getName() : failure.getClass().getSimpleName() + ": " + message;
    }
}
