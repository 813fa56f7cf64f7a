package io.github.distlock.core;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.github.distlock.api.LockStoreException;
import io.github.distlock.spi.LockStore;
import io.github.distlock.spi.LockStoreFactory;

/**
 * One store of the registry as operators see it (startup log, health): its name, its type, and what its type's
 * factory tells about it ({@link LockStoreFactory#describe}, {@link LockStoreFactory#checkConnection}).
 *
 * @param name    the store's name
 * @param type    the type id ({@code redis}), or {@code "bean <class>"} for an application's {@link LockStore} bean
 * @param store   the store
 * @param factory the factory that built it; {@code null} for a bean, which has nothing to describe or check
 */
public record LockStoreInfo(String name, String type, LockStore store, LockStoreFactory<?> factory) {

    /** Every store of {@code registry}, in configuration order. */
    public static List<LockStoreInfo> of(LockStoreRegistry registry) {
        List<LockStoreInfo> infos = new ArrayList<>();
        registry.stores().forEach((name, store) -> {
            LockStoreFactory<?> factory = registry.factoryOf(name).orElse(null);
            String type = factory != null ? factory.type() : "bean " + store.getClass().getName();
            infos.add(new LockStoreInfo(name, type, store, factory));
        });
        return infos;
    }

    /** {@code type}, then the factory's description of the store (without asking its server). */
    public Map<String, Object> details() {
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("type", type);
        if (factory != null) {
            details.putAll(factory.describe(store));
        }
        return details;
    }

    /** Where the store keeps its locks ({@link LockStoreFactory#ADDRESS}); empty when its factory does not say. */
    public String address() {
        Object address = factory != null ? factory.describe(store).get(LockStoreFactory.ADDRESS) : null;
        return address != null ? address.toString() : "";
    }

    /** {@code 'orders' (redis at redis://127.0.0.1:6379/0)}: the store in a log line. */
    public String label() {
        String address = address();
        return "'" + name + "' (" + type + (address.isEmpty() ? "" : " at " + address) + ")";
    }

    /**
     * Asks the store's server whether it answers ({@link LockStoreFactory#checkConnection}).
     *
     * @throws LockStoreException naming the store and the cause, when it does not
     */
    public void checkConnection(Duration maxWait) {
        if (factory == null) {
            return;
        }
        try {
            factory.checkConnection(store, maxWait);
        } catch (RuntimeException e) {
            throw new LockStoreException(name, "the connection check", e);
        }
    }
}
