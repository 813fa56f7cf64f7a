package io.github.distlock.api;

/**
 * The seed's {@code TryLockRequest}: take {@code resourceId} for {@code lockOwner} for {@code expire} seconds.
 *
 * @param storeName  the configured store to use ({@code distributed-lock.stores.<name>}); empty means the default store
 * @param resourceId the resource to protect, e.g. {@code order:42}
 * @param lockOwner  who takes it; a fresh UUID per request, never per process
 * @param expire     lease in seconds, at least 1
 */
public record TryLockRequest(String storeName, String resourceId, String lockOwner, int expire) {
}
