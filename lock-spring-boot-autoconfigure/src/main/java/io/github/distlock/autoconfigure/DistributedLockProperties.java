package io.github.distlock.autoconfigure;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

import io.github.distlock.api.LockOptions;

import org.springframework.boot.context.properties.ConfigurationProperties;

/** Configuration of distributed locks, under {@code distributed-lock}. */
@ConfigurationProperties(prefix = DistributedLockProperties.PREFIX)
public class DistributedLockProperties {

    public static final String PREFIX = "distributed-lock";

    /**
     * Whether the distributed-lock auto-configuration is active.
     */
    private boolean enabled = true;

    /**
     * Name of the store that @DistributedLock and requests without a store name use. Must be one of the names under
     * 'stores'. May be left out when exactly one store is configured.
     */
    private String defaultStore;

    /**
     * Prefix put in front of every resource id, so that applications with different names never share a lock by
     * accident. Defaults to spring.application.name. Set to 'none' (or leave empty) to share locks between
     * applications on purpose.
     */
    private String keyPrefix;

    /**
     * Lease of a lock taken by @DistributedLock or LockTemplate when the annotation or options set no expire. Whole
     * seconds, at least 1s.
     */
    private Duration defaultExpire = LockOptions.DEFAULT_EXPIRE;

    /**
     * How long closing the application waits for locks still held by running work (a scheduled job, an @Async
     * task, a request under graceful shutdown) to be released before the lock stores' clients stop. Locks still held
     * after it end with their leases. 0 does not wait.
     */
    private Duration shutdownWait = Duration.ofSeconds(30);

    /**
     * Lock stores by name (the Lock API's store_name). Each store sets its 'type' (in-memory, redis, zookeeper, etcd,
     * or a type another library adds) and has its settings under '<name>.<type>', e.g.
     * distributed-lock.stores.main.type=redis and distributed-lock.stores.main.redis.connection-factory=lockRedis.
     * Empty: one store is made from the single lock-capable client in the application (Redis, ZooKeeper or etcd), or
     * an in-memory store when there is none.
     */
    private Map<String, Store> stores = new LinkedHashMap<>();

    /**
     * At startup each store's server is asked, in the background, whether it answers; a store that does not is
     * named in one WARN (startup goes on). How long that check waits for a client that is still connecting; each
     * request is bounded by the store's own timeout. 0 switches the check off.
     */
    private Duration startupCheckTimeout = Duration.ofSeconds(5);

    /**
     * Renewal of held locks' leases.
     */
    private final Renewal renewal = new Renewal();

    public boolean isEnabled() {
        return enabled;
    }

    public void setEnabled(boolean enabled) {
        this.enabled = enabled;
    }

    public String getDefaultStore() {
        return defaultStore;
    }

    public void setDefaultStore(String defaultStore) {
        this.defaultStore = defaultStore;
    }

    public String getKeyPrefix() {
        return keyPrefix;
    }

    public void setKeyPrefix(String keyPrefix) {
        this.keyPrefix = keyPrefix;
    }

    public Duration getDefaultExpire() {
        return defaultExpire;
    }

    public void setDefaultExpire(Duration defaultExpire) {
        this.defaultExpire = defaultExpire;
    }

    public Duration getShutdownWait() {
        return shutdownWait;
    }

    public void setShutdownWait(Duration shutdownWait) {
        this.shutdownWait = shutdownWait;
    }

    public Duration getStartupCheckTimeout() {
        return startupCheckTimeout;
    }

    public void setStartupCheckTimeout(Duration startupCheckTimeout) {
        this.startupCheckTimeout = startupCheckTimeout;
    }

    public Renewal getRenewal() {
        return renewal;
    }

    public Map<String, Store> getStores() {
        return stores;
    }

    public void setStores(Map<String, Store> stores) {
        this.stores = stores;
    }

    /** Renewal (keep-alive) of the leases of held locks. */
    public static class Renewal {

        /**
         * Whether the leases of locks held by @DistributedLock methods and LockTemplate are renewed (LockKeepAlive
         * every third of the lease) while held. When false, no lease is renewed, whatever the annotation or options
         * say; a lease that runs out while held is still reported lost.
         */
        private boolean enabled = true;

        public boolean isEnabled() {
            return enabled;
        }

        public void setEnabled(boolean enabled) {
            this.enabled = enabled;
        }
    }

    /**
     * One named lock store. Its settings are bound by its store type, from
     * {@code distributed-lock.stores.<name>.<type>} (for example {@code distributed-lock.stores.main.redis.*}).
     *
     * <p>Configuration metadata can describe neither the fields of a map's values nor keys of its own under them,
     * so IDEs learn the per-store keys under one placeholder store name, {@code main}: the settings classes of the
     * built-in types carry {@code @ConfigurationProperties("distributed-lock.stores.main.<type>")} (only for the
     * configuration processor; nothing binds them from there), and {@code additional-spring-configuration-metadata.json}
     * adds {@code distributed-lock.stores.main.type} with the type ids as value hints.
     */
    public static class Store {

        /**
         * Kind of store, as registered by a store type: redis, zookeeper, etcd, jdbc, in-memory, or one added by
         * another library.
         */
        private String type;

        public String getType() {
            return type;
        }

        public void setType(String type) {
            this.type = type;
        }
    }
}
