package io.github.distlock.api;

/** The seed's {@code TryLockResponse}: whether the lock was taken. */
public record TryLockResponse(boolean success) {

    static final TryLockResponse ACQUIRED = new TryLockResponse(true);
    static final TryLockResponse NOT_ACQUIRED = new TryLockResponse(false);

    public static TryLockResponse of(boolean success) {
        return success ? ACQUIRED : NOT_ACQUIRED;
    }
}
