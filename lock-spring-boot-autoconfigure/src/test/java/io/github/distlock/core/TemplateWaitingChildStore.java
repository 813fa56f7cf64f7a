package io.github.distlock.core;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import io.github.distlock.api.LockHandle;
import io.github.distlock.api.LockKeyNamespace;
import io.github.distlock.api.LockOptions;
import io.github.distlock.api.LockStatus;
import io.github.distlock.spi.LockStore;
import io.github.distlock.testsupport.ChildJvm;

/**
 * For a {@link ChildJvm}: the child's workers take their locks through a {@link LockTemplate} that waits (so its
 * waiters line up and wait for the store's release signal) instead of single TryLocks on the store. A TryLock waits up
 * to {@link #WAIT} for the lock; Unlock releases the handle it got.
 */
public final class TemplateWaitingChildStore implements LockStore {

    /** How long a worker's TryLock waits. */
    public static final Duration WAIT = Duration.ofSeconds(60);

    private final LockTemplate template;
    private final Map<String, LockHandle> held = new ConcurrentHashMap<>();

    public TemplateWaitingChildStore(LockStore store) {
        this.template = new LockTemplate(new DistributedLockClient(Map.of("store", store), "store",
                LockKeyNamespace.of("child")));
    }

    @Override
    public boolean tryLock(String key, String owner, int expireSeconds) {
        LockOptions options = LockOptions.builder().waitTime(WAIT).expire(Duration.ofSeconds(expireSeconds)).build();
        return template.tryAcquire(key, options).map(handle -> held.put(owner, handle) == null).orElse(false);
    }

    @Override
    public LockStatus unlock(String key, String owner) {
        LockHandle handle = held.remove(owner);
        return handle == null ? LockStatus.LOCK_UNEXIST : handle.release();
    }

    @Override
    public LockStatus keepAlive(String key, String owner, int expireSeconds) {
        LockHandle handle = held.get(owner);
        return handle == null ? LockStatus.LOCK_UNEXIST : handle.renew();
    }
}
