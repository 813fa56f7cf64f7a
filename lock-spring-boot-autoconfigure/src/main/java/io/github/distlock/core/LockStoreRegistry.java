package io.github.distlock.core;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;
import java.util.stream.Collectors;

import io.github.distlock.api.InvalidLockConfigurationException;
import io.github.distlock.spi.LockStore;
import io.github.distlock.spi.LockStoreDefinition;
import io.github.distlock.spi.LockStoreFactory;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import org.springframework.beans.factory.DisposableBean;
import org.springframework.boot.context.properties.bind.BindHandler;
import org.springframework.boot.context.properties.bind.BindResult;
import org.springframework.boot.context.properties.bind.Bindable;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.ConfigurationPropertyName;

/**
 * The lock stores of the application by name, and which one is the default. Built from
 * {@code distributed-lock.stores}, plus any {@link LockStore} beans of the application (a bean replaces the
 * configured store of the same name). Closes the stores it built on shutdown.
 */
public class LockStoreRegistry implements DisposableBean {

    private static final Log logger = LogFactory.getLog(LockStoreRegistry.class);

    /** The type made when nothing is configured and no lock-capable client is found. */
    public static final String FALLBACK_TYPE = "in-memory";

    private final Map<String, LockStore> stores;
    private final String defaultStoreName;
    private final List<AutoCloseable> owned;
    private final Map<String, LockStoreFactory<?>> builtBy;

    public LockStoreRegistry(Map<String, LockStore> stores, String defaultStoreName) {
        this(stores, defaultStoreName, List.of(), Map.of());
    }

    private LockStoreRegistry(Map<String, LockStore> stores, String defaultStoreName, List<AutoCloseable> owned,
            Map<String, LockStoreFactory<?>> builtBy) {
        this.stores = Collections.unmodifiableMap(new LinkedHashMap<>(stores));
        this.defaultStoreName = defaultStoreName;
        this.owned = owned;
        this.builtBy = Map.copyOf(builtBy);
    }

    /**
     * Builds the stores that the configuration describes.
     *
     * @param storeTypes   {@code distributed-lock.stores.<name>.type} by store name, in configuration order (a
     *                     {@code null} type is reported as missing)
     * @param defaultStore {@code distributed-lock.default-store}, or {@code null}
     * @param factories    the store types the application knows (one factory bean per type)
     * @param beanStores   {@link LockStore} beans of the application, by bean name
     * @param binder       binds each store's settings from {@code distributed-lock.stores.<name>.<type>}
     * @throws InvalidLockConfigurationException naming the property at fault
     */
    public static LockStoreRegistry build(Map<String, String> storeTypes, String defaultStore,
            List<? extends LockStoreFactory<?>> factories, Map<String, LockStore> beanStores, Binder binder) {
        Map<String, LockStore> stores = new LinkedHashMap<>();
        List<AutoCloseable> owned = new ArrayList<>();
        Map<String, LockStoreFactory<?>> builtBy = new LinkedHashMap<>();
        try {
            storeTypes.forEach((name, type) -> {
                String property = LockStoreDefinition.storeProperty(name);
                if (name.isBlank()) {
                    throw new InvalidLockConfigurationException(property, "A store name is blank.",
                            "Give every store under distributed-lock.stores a non-blank name.");
                }
                if (beanStores.containsKey(name)) {
                    logger.info("Lock store '" + name + "' is the application's LockStore bean of that name; "
                            + property + " is not used");
                    return;
                }
                if (type == null || type.isBlank()) {
                    throw new InvalidLockConfigurationException(property + ".type", "The store type is missing.",
                            "Set it to one of " + typeNames(factories) + ".");
                }
                LockStoreFactory<?> factory = factories.stream()
                        .filter(candidate -> sameType(candidate.type(), type))
                        .findFirst()
                        .orElseThrow(() -> new InvalidLockConfigurationException(property + ".type",
                                "'" + type + "' is not a known store type.",
                                "Set it to one of " + typeNames(factories) + "."));
                add(stores, owned, name, create(factory, name, binder));
                builtBy.put(name, factory);
            });
            stores.putAll(beanStores);
            if (stores.isEmpty()) {
                builtBy.putAll(addImplicitStore(stores, owned, factories, binder));
            }
            return new LockStoreRegistry(stores, defaultStoreName(defaultStore, stores), owned, builtBy);
        } catch (RuntimeException e) {
            // Startup fails: close the stores (and their clients) already built, or their threads outlive it.
            closeAll(owned);
            throw e;
        }
    }

    public Map<String, LockStore> stores() {
        return stores;
    }

    /**
     * The stores that are instances of {@code storeClass} (a store type's own class, say), by name, in configuration
     * order; empty when there is none.
     */
    public <S extends LockStore> Map<String, S> stores(Class<S> storeClass) {
        Map<String, S> matching = new LinkedHashMap<>();
        stores.forEach((name, store) -> {
            if (storeClass.isInstance(store)) {
                matching.put(name, storeClass.cast(store));
            }
        });
        return matching;
    }

    public String defaultStoreName() {
        return defaultStoreName;
    }

    /**
     * The factory (store type) that built store {@code storeName}, for what it can tell about the store
     * ({@link LockStoreFactory#describe}, {@link LockStoreFactory#checkConnection}); empty for a {@link LockStore}
     * bean of the application, and for a name that is not a store.
     */
    public Optional<LockStoreFactory<?>> factoryOf(String storeName) {
        return Optional.ofNullable(builtBy.get(storeName));
    }

    @Override
    public void destroy() {
        closeAll(owned);
    }

    private static <P> LockStore create(LockStoreFactory<P> factory, String storeName, Binder binder) {
        String prefix = LockStoreDefinition.storeProperty(storeName) + "." + factory.type();
        P properties = null;
        Class<P> type = factory.propertiesType();
        if (type != null && type != Void.class) {
            properties = bindSettings(binder, storeName, factory.type(), Bindable.of(type));
        }
        LockStore store = factory.create(new LockStoreDefinition<>(storeName, properties, prefix));
        if (store == null) {
            throw new IllegalStateException("Lock store factory " + factory + " returned no store for '" + storeName
                    + "'");
        }
        return store;
    }

    /**
     * Binds {@code distributed-lock.stores.<name>.<type>}. A name with upper case was written either plain
     * ({@code stores.OrdersUs}, which Spring Boot matches ignoring case) or in brackets ({@code stores[OrdersUs]},
     * matched exactly); the map key does not say which, so both are tried. A conversion failure throws Spring Boot's
     * {@code BindException}, which names the property.
     */
    private static <P> P bindSettings(Binder binder, String storeName, String type, Bindable<P> settings) {
        ConfigurationPropertyName asWritten = ConfigurationPropertyName.adapt(
                LockStoreDefinition.storeProperty(storeName) + "." + type, '.');
        ConfigurationPropertyName bracketed = ConfigurationPropertyName.of(LockStoreDefinition.STORES_PREFIX)
                .append("[" + storeName + "]").append(type);
        for (ConfigurationPropertyName name : List.of(asWritten, bracketed)) {
            BindResult<P> bound = binder.bind(name, settings);
            if (bound.isBound()) {
                return bound.get();
            }
        }
        return binder.bindOrCreate(asWritten, settings, BindHandler.DEFAULT);
    }

    private static void add(Map<String, LockStore> stores, List<AutoCloseable> owned, String name, LockStore store) {
        stores.put(name, store);
        if (store instanceof AutoCloseable closeable) {
            owned.add(closeable);
        }
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

    /** Adds the one store made when none is configured; returns it by name with its factory. */
    private static Map<String, LockStoreFactory<?>> addImplicitStore(Map<String, LockStore> stores,
            List<AutoCloseable> owned, List<? extends LockStoreFactory<?>> factories, Binder binder) {
        List<LockStoreFactory<?>> candidates = factories.stream()
                .filter(factory -> !sameType(factory.type(), FALLBACK_TYPE) && factory.clientAvailable())
                .collect(Collectors.toList());
        if (candidates.size() > 1) {
            String found = candidates.stream().map(LockStoreFactory::type).collect(Collectors.joining(", "));
            throw new InvalidLockConfigurationException(LockStoreDefinition.STORES_PREFIX,
                    "No lock store is configured and the application has several lock-capable clients ("
                            + found + "), so which one to lock with is ambiguous.",
                    "Name the stores, e.g. distributed-lock.stores.main.type=" + candidates.get(0).type() + ".");
        }
        if (candidates.size() == 1) {
            LockStoreFactory<?> factory = candidates.get(0);
            add(stores, owned, factory.type(), create(factory, factory.type(), binder));
            return Map.of(factory.type(), factory);
        }
        LockStoreFactory<?> fallback = factories.stream()
                .filter(factory -> sameType(factory.type(), FALLBACK_TYPE))
                .findFirst()
                .orElseThrow(() -> new InvalidLockConfigurationException(LockStoreDefinition.STORES_PREFIX,
                        "No lock store is configured, no lock-capable client was found, and the in-memory store "
                                + "type is not registered.", "Configure distributed-lock.stores."));
        logger.warn("No lock store is configured and no lock-capable client (" + typeNames(candidatesOf(factories))
                + ") was found: using an in-memory lock store. Locks are local to this JVM and do not exclude other "
                + "instances; configure distributed-lock.stores to lock across instances.");
        add(stores, owned, FALLBACK_TYPE, create(fallback, FALLBACK_TYPE, binder));
        return Map.of(FALLBACK_TYPE, fallback);
    }

    private static List<LockStoreFactory<?>> candidatesOf(List<? extends LockStoreFactory<?>> factories) {
        return factories.stream().filter(factory -> !sameType(factory.type(), FALLBACK_TYPE))
                .collect(Collectors.toList());
    }

    private static String defaultStoreName(String configured, Map<String, LockStore> stores) {
        String property = "distributed-lock.default-store";
        if (configured != null && !configured.isBlank()) {
            if (!stores.containsKey(configured)) {
                throw new InvalidLockConfigurationException(property,
                        "Store '" + configured + "' is not configured.",
                        "Set it to one of the configured stores " + stores.keySet()
                                + " or add " + LockStoreDefinition.storeProperty(configured) + ".type.");
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

    /**
     * Type ids compare as Spring Boot compares enum values in configuration: ignoring case, {@code '-'} and
     * {@code '_'}, so {@code in-memory}, {@code IN_MEMORY} and {@code inMemory} name the same type.
     */
    static boolean sameType(String a, String b) {
        return canonical(a).equals(canonical(b));
    }

    private static String canonical(String type) {
        return type.replace("-", "").replace("_", "").toLowerCase(Locale.ROOT).strip();
    }

    private static String typeNames(List<? extends LockStoreFactory<?>> factories) {
        if (factories.isEmpty()) {
            return "the registered store types (none is registered: is the distlock starter's auto-configuration "
                    + "excluded?)";
        }
        return String.join(", ", new TreeSet<>(factories.stream().map(LockStoreFactory::type).toList()));
    }
}
