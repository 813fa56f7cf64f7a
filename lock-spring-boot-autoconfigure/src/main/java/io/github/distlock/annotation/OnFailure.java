package io.github.distlock.annotation;

/** What a {@link DistributedLock} method does when the lock is held by someone else for all of the wait time. */
public enum OnFailure {

    /** Throw {@link LockNotAcquiredException} naming the key and store. */
    THROW,

    /**
     * Do not run the method; return {@code null}, an empty {@code Optional} (or {@code OptionalInt}, ...), or nothing
     * for {@code void}. Not allowed on methods returning a primitive type.
     */
    SKIP
}
