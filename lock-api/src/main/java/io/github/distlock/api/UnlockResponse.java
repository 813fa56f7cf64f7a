package io.github.distlock.api;

/** The seed's {@code UnlockResponse}. */
public record UnlockResponse(LockStatus status) {
}
