package io.github.distlock.autoconfigure;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import io.github.distlock.spi.LockStore;
import io.github.distlock.store.inmemory.InMemoryLockStore;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import org.springframework.beans.factory.DisposableBean;

/**
 * The lock stores of the application by name, and which one is the default. Built from
 * {@code distributed-lock.stores}, plus any {@link LockStore} beans of the application (a bean replaces the
 * configured store of the same name). Closes the stores it built on shutdown.
 */
public class LockStoreRegistry implements DisposableBean {

    private static final Log logger = LogFactory.getLog(LockStoreRegistry.class);

    private final Map<String, LockStore> stores;
    private final String defaultStoreName;
    private final List<AutoCloseable> owned;

    public LockStoreRegistry(Map<String, LockStore> stores, String defaultStoreName) {
        this(stores, defaultStoreName, List.of());
    }

    private LockStoreRegistry(Map<String, LockStore> stores, String defaultStoreName, List<AutoCloseable> owned) {
        this.stores = Collections.unmodifiableMap(new LinkedHashMap<>(stores));
        this.defaultStoreName = defaultStoreName;
        this.owned = owned;
    }

    /**
     * Builds the stores that {@code properties} describe.
     *
     * @param factories  one per store type whose client library is present
     * @param beanStores {@link LockStore} beans of the application, by bean name
     * @throws InvalidLockConfigurationException naming the property at fault
     */
    public static LockStoreRegistry fromConfiguration(DistributedLockProperties properties,
            List<LockStoreFactory> factories, Map<String, LockStore> beanStores) {
        Map<String, LockStore> stores = new LinkedHashMap<>();
        List<AutoCloseable> owned = new ArrayList<>();
        try {
            properties.getStores().forEach((name, store) -> {
                String property = DistributedLockProperties.PREFIX + ".stores." + name;
                if (name.isBlank()) {
                    throw new InvalidLockConfigurationException(property, "A store name is blank.",
                            "Give every store under distributed-lock.stores a non-blank name.");
                }
                if (beanStores.containsKey(name)) {
                    logger.info("Lock store '" + name + "' is the application's LockStore bean of that name; "
                            + property + " is not used");
                    return;
                }
                if (store.getType() == null) {
                    throw new InvalidLockConfigurationException(property + ".type", "The store type is missing.",
                            "Set it to one of " + typeNames() + ".");
                }
                LockStore built = factoryFor(store.getType(), factories, property + ".type").create(name, store);
                stores.put(name, built);
                if (built instanceof AutoCloseable closeable) {
                    owned.add(closeable);
                }
            });
            stores.putAll(beanStores);
            if (stores.isEmpty()) {
                addImplicitStore(stores, owned, factories);
            }
            return new LockStoreRegistry(stores, defaultStoreName(properties, stores), owned);
        } catch (RuntimeException e) {
            // Startup fails: close the stores (and their clients) already built, or their threads outlive it.
            closeAll(owned);
            throw e;
        }
    }

    public Map<String, LockStore> stores() {
        return stores;
    }

    public String defaultStoreName() {
        return defaultStoreName;
    }

    @Override
    public void destroy() {
        closeAll(owned);
    }

    private static void closeAll(List<AutoCloseable> owned) {
        for (AutoCloseable store : owned) {
            try {
                store.close();
            } catch (Exception e) {
                logger.warn("Closing lock store " + store + " failed", e);
            }
        }
    }

    private static void addImplicitStore(Map<String, LockStore> stores, List<AutoCloseable> owned,
            List<LockStoreFactory> factories) {
        List<LockStoreFactory> candidates = factories.stream()
                .filter(factory -> factory.type() != StoreType.IN_MEMORY && factory.clientAvailable())
                .toList();
        if (candidates.size() > 1) {
            String found = candidates.stream().map(f -> f.type().configName()).collect(Collectors.joining(", "));
            throw new InvalidLockConfigurationException(DistributedLockProperties.PREFIX + ".stores",
                    "No lock store is configured and the application has several lock-capable clients ("
                            + found + "), so which one to lock with is ambiguous.",
                    "Name the stores, e.g. distributed-lock.stores.main.type=" + candidates.get(0).type().configName()
                            + ".");
        }
        if (candidates.size() == 1) {
            LockStoreFactory factory = candidates.get(0);
            DistributedLockProperties.Store store = new DistributedLockProperties.Store();
            store.setType(factory.type());
            String name = factory.type().configName();
            LockStore built = factory.create(name, store);
            stores.put(name, built);
            if (built instanceof AutoCloseable closeable) {
                owned.add(closeable);
            }
            logger.info("Lock store '" + name + "' uses the application's " + name + " client");
            return;
        }
        logger.warn("No lock store is configured and no Redis, ZooKeeper or etcd client was found: using an "
                + "in-memory lock store. Locks are local to this JVM and do not exclude other instances; configure "
                + "distributed-lock.stores to lock across instances.");
        stores.put(StoreType.IN_MEMORY.configName(), new InMemoryLockStore());
    }

    private static LockStoreFactory factoryFor(StoreType type, List<LockStoreFactory> factories, String property) {
        return factories.stream()
                .filter(factory -> factory.type() == type)
                .findFirst()
                .orElseThrow(() -> new InvalidLockConfigurationException(property,
                        "Store type '" + type.configName() + "' needs a client library that is not on the classpath.",
                        "Add " + type.requiredDependency() + " to the application's dependencies."));
    }

    private static String defaultStoreName(DistributedLockProperties properties, Map<String, LockStore> stores) {
        String configured = properties.getDefaultStore();
        String property = DistributedLockProperties.PREFIX + ".default-store";
        if (configured != null && !configured.isBlank()) {
            if (!stores.containsKey(configured)) {
                throw new InvalidLockConfigurationException(property,
                        "Store '" + configured + "' is not configured.",
                        "Set it to one of the configured stores " + stores.keySet()
                                + " or add distributed-lock.stores." + configured + ".");
            }
            return configured;
        }
        if (stores.size() > 1) {
            throw new InvalidLockConfigurationException(property,
                    "Several lock stores are configured " + stores.keySet() + " but none is the default.",
                    "Set distributed-lock.default-store to one of them.");
        }
        return stores.keySet().iterator().next();
    }

    private static String typeNames() {
        List<String> names = new ArrayList<>();
        for (StoreType type : StoreType.values()) {
            names.add(type.configName());
        }
        return String.join(", ", names);
    }
}
