package io.github.distlock.spi;

/**
 * One store to build, as configured under {@code distributed-lock.stores.<name>}.
 *
 * @param storeName        the store's name (the Lock API's {@code store_name})
 * @param properties       the store's settings, bound from {@link #propertiesPrefix()}; {@code null} for
 *                         {@link Void} settings
 * @param propertiesPrefix where the settings were bound from, e.g. {@code distributed-lock.stores.main.redis}
 * @param <P>              the settings class of the store type
 */
public record LockStoreDefinition<P>(String storeName, P properties, String propertiesPrefix) {

    /** The configuration root of all stores. */
    public static final String STORES_PREFIX = "distributed-lock.stores";

    /** The full name of one setting, for error messages: {@code property("connect-string")}. */
    public String property(String name) {
        return propertiesPrefix + "." + name;
    }

    /** The full name of this store's {@code type} property. */
    public String typeProperty() {
        return STORES_PREFIX + "." + storeName + ".type";
    }
}
