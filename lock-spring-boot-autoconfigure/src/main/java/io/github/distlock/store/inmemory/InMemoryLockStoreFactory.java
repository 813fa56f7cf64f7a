package io.github.distlock.store.inmemory;

import io.github.distlock.autoconfigure.DistributedLockProperties;
import io.github.distlock.autoconfigure.LockStoreFactory;
import io.github.distlock.autoconfigure.StoreType;
import io.github.distlock.spi.LockStore;

/** Builds {@link InMemoryLockStore}s; always available, never chosen implicitly over a real store. */
public class InMemoryLockStoreFactory implements LockStoreFactory {

    @Override
    public StoreType type() {
        return StoreType.IN_MEMORY;
    }

    @Override
    public boolean clientAvailable() {
        return true;
    }

    @Override
    public LockStore create(String storeName, DistributedLockProperties.Store properties) {
        return new InMemoryLockStore();
    }
}
