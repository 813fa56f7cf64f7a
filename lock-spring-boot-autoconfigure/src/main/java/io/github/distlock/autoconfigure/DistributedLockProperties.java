package io.github.distlock.autoconfigure;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

import io.github.distlock.store.etcd.EtcdLockStoreProperties;
import io.github.distlock.store.redis.RedisLockStoreProperties;
import io.github.distlock.store.zookeeper.ZooKeeperLockStoreProperties;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.NestedConfigurationProperty;

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
     * Lease of a lock taken by @DistributedLock when the annotation sets no expire. Whole seconds, at least 1s.
     */
    private Duration defaultExpire = Duration.ofSeconds(30);

    /**
     * Lock stores by name (the Lock API's store_name). Empty: one store is made from the single lock-capable client
     * in the application (Redis, ZooKeeper or etcd), or an in-memory store when there is none.
     */
    private Map<String, Store> stores = new LinkedHashMap<>();

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

    public Map<String, Store> getStores() {
        return stores;
    }

    public void setStores(Map<String, Store> stores) {
        this.stores = stores;
    }

    /** One named lock store. */
    public static class Store {

        /**
         * Kind of store: redis, zookeeper, etcd or in-memory.
         */
        private StoreType type;

        /**
         * Settings of a store of type redis.
         */
        @NestedConfigurationProperty
        private RedisLockStoreProperties redis = new RedisLockStoreProperties();

        /**
         * Settings of a store of type zookeeper.
         */
        @NestedConfigurationProperty
        private ZooKeeperLockStoreProperties zookeeper = new ZooKeeperLockStoreProperties();

        /**
         * Settings of a store of type etcd.
         */
        @NestedConfigurationProperty
        private EtcdLockStoreProperties etcd = new EtcdLockStoreProperties();

        public StoreType getType() {
            return type;
        }

        public void setType(StoreType type) {
            this.type = type;
        }

        public RedisLockStoreProperties getRedis() {
            return redis;
        }

        public void setRedis(RedisLockStoreProperties redis) {
            this.redis = redis;
        }

        public ZooKeeperLockStoreProperties getZookeeper() {
            return zookeeper;
        }

        public void setZookeeper(ZooKeeperLockStoreProperties zookeeper) {
            this.zookeeper = zookeeper;
        }

        public EtcdLockStoreProperties getEtcd() {
            return etcd;
        }

        public void setEtcd(EtcdLockStoreProperties etcd) {
            this.etcd = etcd;
        }
    }
}
