package io.github.distlock.store.inmemory;

import java.util.LinkedHashMap;
import java.util.Map;

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

    /** {@code address} "this JVM", {@code heldLocks} (keys in memory, lapsed ones not yet reclaimed included). */
    @Override
    public Map<String, Object> describe(LockStore store) {
        Map<String, Object> details = new LinkedHashMap<>();
        details.put(ADDRESS, "this JVM");
        details.put("heldLocks", ((InMemoryLockStore) store).size());
        return details;
    }
}
