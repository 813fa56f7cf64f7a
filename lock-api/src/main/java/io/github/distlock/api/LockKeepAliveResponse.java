package io.github.distlock.api;

/** The seed's {@code LockKeepAliveResponse}. */
public record LockKeepAliveResponse(LockStatus status) {
}
