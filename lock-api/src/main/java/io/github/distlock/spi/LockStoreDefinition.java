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
        return storeProperty(storeName) + ".type";
    }

    /**
     * Where store {@code storeName} is configured, as written in a properties file:
     * {@code distributed-lock.stores.orders}, or {@code distributed-lock.stores[orders.eu]} for a name that is not a
     * single property name element (one with a {@code '.'}, say).
     */
    public static String storeProperty(String storeName) {
        return isPlainElement(storeName) ? STORES_PREFIX + "." + storeName : STORES_PREFIX + "[" + storeName + "]";
    }

    private static boolean isPlainElement(String storeName) {
        return !storeName.isEmpty() && storeName.chars().allMatch(c -> c < 128
                && (Character.isLetterOrDigit(c) || c == '-' || c == '_'));
    }
}
