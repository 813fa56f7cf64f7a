package io.github.distlock.store.redis;

/** Settings of a lock store of type redis, under {@code distributed-lock.stores.<name>.redis}. */
public class RedisLockStoreProperties {

    /**
     * Name of the RedisConnectionFactory bean the store uses. Leave empty to use the application's only (or
     * primary) one, the one Spring Boot configures from spring.data.redis.*. Connection settings (host, Sentinel,
     * Cluster, SSL, username/password, command timeout) all come from that connection factory.
     */
    private String connectionFactory;

    public String getConnectionFactory() {
        return connectionFactory;
    }

    public void setConnectionFactory(String connectionFactory) {
        this.connectionFactory = connectionFactory;
    }
}
