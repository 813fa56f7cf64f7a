package io.github.distlock.api;

/**
 * The seed's {@code UnlockRequest}: release {@code resourceId} if {@code lockOwner} holds it.
 *
 * @param storeName  the configured store; empty means the default store
 * @param resourceId the resource given to TryLock
 * @param lockOwner  the owner given to TryLock
 */
public record UnlockRequest(String storeName, String resourceId, String lockOwner) {
}
