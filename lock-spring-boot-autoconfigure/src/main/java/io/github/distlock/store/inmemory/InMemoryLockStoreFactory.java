package io.github.distlock.store.inmemory;

import io.github.distlock.spi.LockStore;
import io.github.distlock.spi.LockStoreDefinition;
import io.github.distlock.spi.LockStoreFactory;

/**
 * Store type {@code in-memory}: {@link InMemoryLockStore}s. Needs no client and has no settings; never chosen
 * implicitly over a real store, only as the fallback when nothing else is configured.
 */
public class InMemoryLockStoreFactory implements LockStoreFactory<Void> {

    /** The type id, as written in {@code distributed-lock.stores.<name>.type}. */
    public static final String TYPE = "in-memory";

    @Override
    public String type() {
        return TYPE;
    }

    @Override
    public Class<Void> propertiesType() {
        return Void.class;
    }

    @Override
    public LockStore create(LockStoreDefinition<Void> definition) {
        return new InMemoryLockStore();
    }
}
