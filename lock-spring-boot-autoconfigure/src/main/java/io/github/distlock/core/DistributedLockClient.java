package io.github.distlock.core;

import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;

import io.github.distlock.api.InvalidLockRequestException;
import io.github.distlock.api.LockKeepAliveRequest;
import io.github.distlock.api.LockKeepAliveResponse;
import io.github.distlock.api.LockKeyNamespace;
import io.github.distlock.api.LockStoreException;
import io.github.distlock.api.LockStoreNotConfiguredException;
import io.github.distlock.api.QuotedValue;
import io.github.distlock.api.TryLockRequest;
import io.github.distlock.api.TryLockResponse;
import io.github.distlock.api.UnknownLockStoreException;
import io.github.distlock.api.UnlockRequest;
import io.github.distlock.api.UnlockResponse;
import io.github.distlock.spi.FencedLockStore;
import io.github.distlock.spi.HandOverLockStore;
import io.github.distlock.spi.LockStore;
import io.github.distlock.spi.ReleaseAwaitingLockStore;

/**
 * The Lock API in Java: TryLock, Unlock and LockKeepAlive, routed to the store named in each request.
 *
 * <p>The single place where requests are validated and keys are namespaced, shared by {@code @DistributedLock},
 * the gRPC service and application code. Invalid requests throw {@link InvalidLockRequestException} naming the
 * field; store failures throw {@link LockStoreException} naming the store and the cause.
 */
public class DistributedLockClient {

    /** Returned by {@link #tryLockFenced} when the lock was taken by a store that hands out no fencing tokens. */
    public static final long NO_FENCING_TOKEN = 0;

    private final Map<String, LockStore> stores;
    private final String defaultStoreName;
    private final LockKeyNamespace namespace;

    /**
     * @param stores           the stores by name (the seed's {@code store_name}), in configuration order
     * @param defaultStoreName the store used when a request names none; must be one of {@code stores}
     * @param namespace        the key prefix applied to every resource id
     */
    public DistributedLockClient(Map<String, LockStore> stores, String defaultStoreName, LockKeyNamespace namespace) {
        this.stores = Collections.unmodifiableMap(new LinkedHashMap<>(stores));
        if (!stores.isEmpty() && !this.stores.containsKey(defaultStoreName)) {
            throw new IllegalArgumentException("Default lock store '" + defaultStoreName
                    + "' is not among the configured stores " + this.stores.keySet());
        }
        this.defaultStoreName = defaultStoreName;
        this.namespace = namespace;
    }

    public TryLockResponse tryLock(TryLockRequest request) {
        String storeName = storeName(request.storeName());
        LockStore store = store(storeName);
        String key = checkedKey(request);
        return call(storeName, "TryLock", request.resourceId(),
                () -> TryLockResponse.of(store.tryLock(key, request.lockOwner(), request.expire())));
    }

    /**
     * TryLock, with the grant's fencing token when the store hands them out ({@link FencedLockStore}).
     *
     * @return the fencing token (positive); {@link #NO_FENCING_TOKEN} when the lock was taken by a store without
     *         tokens; {@link FencedLockStore#NOT_ACQUIRED} when another owner holds it
     */
    public long tryLockFenced(TryLockRequest request) {
        String storeName = storeName(request.storeName());
        LockStore store = store(storeName);
        String key = checkedKey(request);
        try {
            if (store instanceof FencedLockStore fenced) {
                return fenced.tryLockFenced(key, request.lockOwner(), request.expire());
            }
            return store.tryLock(key, request.lockOwner(), request.expire()) ? NO_FENCING_TOKEN
                    : FencedLockStore.NOT_ACQUIRED;
        } catch (RuntimeException e) {
            throw storeFailure(storeName, "TryLock", request.resourceId(), e);
        }
    }

    /**
     * Blocks until the lock of {@code resourceId} is released or its lease ends, or {@code maxWait} has passed, when
     * the store can signal releases ({@link ReleaseAwaitingLockStore}). Returning is a hint, not a grant: try the
     * lock again.
     *
     * @param storeName the store; {@code null}, empty or blank means the default
     * @return {@code false} at once, without waiting, when the store cannot signal releases (poll instead)
     * @throws LockStoreException   when the store failed while waiting
     * @throws InterruptedException when the thread was interrupted while waiting
     */
    public boolean awaitRelease(String storeName, String resourceId, Duration maxWait) throws InterruptedException {
        String name = storeName(storeName);
        if (!(store(name) instanceof ReleaseAwaitingLockStore awaiting)) {
            return false;
        }
        String key = key(resourceId);
        try {
            awaiting.awaitRelease(key, maxWait);
        } catch (RuntimeException e) {
            throw storeFailure(name, "waiting for the release", resourceId, e);
        }
        return true;
    }

    /**
     * Whether the store behind {@code storeName} ({@code null}, empty or blank means the default) can hand a held
     * lock to a next owner in one call ({@link HandOverLockStore}).
     */
    public boolean canHandOver(String storeName) {
        return store(storeName) instanceof HandOverLockStore;
    }

    /**
     * Passes the lock of {@code resourceId} from {@code owner} to {@code nextOwner} for {@code expireSeconds}, in one
     * store call ({@link HandOverLockStore#handOver}).
     *
     * @return the next holder's fencing token (positive, larger than {@code owner}'s);
     *         {@link FencedLockStore#NOT_ACQUIRED} when {@code owner} does not hold the lock (nothing changed);
     *         {@link HandOverLockStore#RELEASED} when the store released it instead, as {@code owner}'s Unlock
     * @throws UnsupportedOperationException when the store cannot ({@link #canHandOver} is false)
     * @throws LockStoreException            when the store failed; the hand-over may have been applied
     */
    public long handOver(String storeName, String resourceId, String owner, String nextOwner, int expireSeconds) {
        String name = storeName(storeName);
        if (!(store(name) instanceof HandOverLockStore handing)) {
            throw new UnsupportedOperationException("Lock store '" + name + "' cannot hand a lock over");
        }
        String key = checkedKey(new TryLockRequest(name, resourceId, nextOwner, expireSeconds));
        requireOwner(owner);
        try {
            return handing.handOver(key, owner, nextOwner, expireSeconds);
        } catch (RuntimeException e) {
            throw storeFailure(name, "hand-over", resourceId, e);
        }
    }

    public UnlockResponse unlock(UnlockRequest request) {
        String storeName = storeName(request.storeName());
        LockStore store = store(storeName);
        String key = key(request.resourceId());
        requireOwner(request.lockOwner());
        return new UnlockResponse(call(storeName, "Unlock", request.resourceId(),
                () -> store.unlock(key, request.lockOwner())));
    }

    public LockKeepAliveResponse keepAlive(LockKeepAliveRequest request) {
        String storeName = storeName(request.storeName());
        LockStore store = store(storeName);
        String key = key(request.resourceId());
        requireOwner(request.lockOwner());
        requireExpire(request.expire());
        return new LockKeepAliveResponse(call(storeName, "LockKeepAlive", request.resourceId(),
                () -> store.keepAlive(key, request.lockOwner(), request.expire())));
    }

    /** Runs a store operation; any failure, or no answer, becomes a {@link LockStoreException} naming the store. */
    private static <T> T call(String storeName, String operation, String resourceId, Supplier<T> action) {
        T result;
        try {
            result = action.get();
        } catch (RuntimeException e) {
            throw storeFailure(storeName, operation, resourceId, e);
        }
        if (result == null) {
            throw new LockStoreException(storeName,
                    operation + " of " + QuotedValue.of(resourceId) + ": the store returned no status");
        }
        return result;
    }

    private static LockStoreException storeFailure(String storeName, String operation, String resourceId,
            RuntimeException e) {
        return e instanceof LockStoreException storeException ? storeException
                : new LockStoreException(storeName, operation + " of " + QuotedValue.of(resourceId), e);
    }

    /** The configured store names, in configuration order. */
    public Set<String> storeNames() {
        return stores.keySet();
    }

    public String defaultStoreName() {
        return defaultStoreName;
    }

    /**
     * The store behind {@code storeName} ({@code null}, empty or blank means the default), for callers that use an optional capability
     * such as {@link io.github.distlock.spi.ReleaseAwaitingLockStore}. Its keys are namespaced: see {@link #key}.
     */
    public LockStore store(String storeName) {
        String name = storeName(storeName);
        LockStore store = stores.get(name);
        if (store == null) {
            if (stores.isEmpty()) {
                throw new LockStoreNotConfiguredException();
            }
            throw new UnknownLockStoreException(name, stores.keySet());
        }
        return store;
    }

    /** The namespaced key a store holds for {@code resourceId}, after checking the id is not blank. */
    public String key(String resourceId) {
        if (resourceId == null || resourceId.isBlank()) {
            throw new InvalidLockRequestException("resource_id", "resource_id must not be blank");
        }
        return namespace.keyFor(resourceId);
    }

    public LockKeyNamespace namespace() {
        return namespace;
    }

    /**
     * The store a request means: the default store's name when {@code requested} is {@code null}, empty or blank
     * (white space only), else {@code requested} without surrounding white space, as {@code LockOptions} takes it.
     * The one place this is decided, for every lock path (Java, gRPC, {@code LockTemplate}); it does not check that
     * the store exists.
     */
    public String resolveStoreName(String requested) {
        return storeName(requested);
    }

    private String storeName(String requested) {
        return requested == null || requested.isBlank() ? defaultStoreName : requested.strip();
    }

    /** The namespaced key of a TryLock, after checking its fields. */
    String checkedKey(TryLockRequest request) {
        String key = key(request.resourceId());
        requireOwner(request.lockOwner());
        requireExpire(request.expire());
        return key;
    }

    private static void requireOwner(String owner) {
        if (owner == null || owner.isBlank()) {
            throw new InvalidLockRequestException("lock_owner", "lock_owner must not be blank");
        }
    }

    private static void requireExpire(int expire) {
        if (expire <= 0) {
            throw new InvalidLockRequestException("expire",
                    "expire must be a positive number of seconds, got " + expire);
        }
    }
}
