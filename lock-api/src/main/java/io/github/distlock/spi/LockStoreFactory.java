package io.github.distlock.spi;

import java.time.Duration;
import java.util.Map;

import io.github.distlock.api.InvalidLockConfigurationException;

/**
 * Builds the lock stores of one store type from configuration. A store type is contributed by a bean of this type
 * (usually from the store's own auto-configuration); the registry asks the factory whose {@link #type()} matches
 * {@code distributed-lock.stores.<name>.type} to build each configured store.
 *
 * <p>Settings of a store are an object of {@link #propertiesType()}, bound with Spring Boot's {@code Binder} from
 * {@code distributed-lock.stores.<name>.<type>} (for example {@code distributed-lock.stores.main.redis.*}), so a
 * store type in a separate jar brings its own settings without any class of this project knowing them.
 *
 * <p>Two optional methods tell operators about the stores built: {@link #describe} (the startup log line, the
 * health details) and {@link #checkConnection} (the health status, the check at startup).
 *
 * @param <P> the settings class: a JavaBean or constructor-bound class, or {@link Void} for none
 */
public interface LockStoreFactory<P> {

    /** The {@link #describe} key of where a store keeps its locks, e.g. {@code "127.0.0.1:6379"}. */
    String ADDRESS = "address";

    /**
     * The type id as written in {@code distributed-lock.stores.<name>.type}: lower case, words joined by
     * {@code '-'} ({@code redis}, {@code in-memory}). Also the store's name when it is made implicitly.
     */
    String type();

    /** The settings class bound for each store of this type; {@link Void} when the type has no settings. */
    Class<P> propertiesType();

    /**
     * Whether the application already has the client this store type uses (a connection factory bean, say), so
     * that a store of this type may be made implicitly when {@code distributed-lock.stores} is empty.
     */
    default boolean clientAvailable() {
        return false;
    }

    /**
     * Builds one store. Called once per configured store, while the application starts.
     *
     * @throws InvalidLockConfigurationException naming the property at fault ({@link LockStoreDefinition#property})
     *                                           when the settings are wrong or the client is missing
     */
    LockStore create(LockStoreDefinition<P> definition);

    /**
     * What operators are told about {@code store}, one this factory built, without asking its server: the startup
     * log line and the health details show it. Short camelCase keys with printable values: {@link #ADDRESS}, and
     * counts such as {@code heldLocks} where the store knows them. Runs at every health probe, so it must be cheap.
     * Default: nothing.
     */
    default Map<String, Object> describe(LockStore store) {
        return Map.of();
    }

    /**
     * Whether the server of {@code store}, one this factory built, answers now: returns when it does, throws (any
     * {@link RuntimeException} whose message says why) when it does not. One request at most, bounded by the
     * store's own timeout; a store whose client is still connecting may wait up to {@code maxWait} for it (zero: do
     * not wait). Default: nothing to ask, as for a store without a server.
     */
    default void checkConnection(LockStore store, Duration maxWait) {
    }

    /**
     * A factory for a type whose client library is not on the classpath: its {@link #create} fails startup naming
     * the dependency to add. Register it when the library's classes are missing, so that a configured store of that
     * type says what to add instead of "unknown type".
     *
     * @param type               the type id
     * @param requiredDependency what to add, e.g. {@code org.springframework.boot:spring-boot-starter-data-redis}
     */
    static LockStoreFactory<Void> unavailable(String type, String requiredDependency) {
        return new LockStoreFactory<>() {
            @Override
            public String type() {
                return type;
            }

            @Override
            public Class<Void> propertiesType() {
                return Void.class;
            }

            @Override
            public LockStore create(LockStoreDefinition<Void> definition) {
                throw new InvalidLockConfigurationException(definition.typeProperty(),
                        "Store type '" + type + "' needs a client library that is not on the classpath.",
                        "Add " + requiredDependency + " to the application's dependencies.");
            }

            @Override
            public String toString() {
                return "unavailable lock store type '" + type + "' (needs " + requiredDependency + ")";
            }
        };
    }
}
