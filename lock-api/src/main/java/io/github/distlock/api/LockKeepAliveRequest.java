package io.github.distlock.api;

/**
 * The seed's {@code LockKeepAliveRequest}: renew the lease of a lock {@code lockOwner} holds, to {@code expire}
 * seconds from now.
 */
public record LockKeepAliveRequest(String storeName, String resourceId, String lockOwner, int expire) {
}
