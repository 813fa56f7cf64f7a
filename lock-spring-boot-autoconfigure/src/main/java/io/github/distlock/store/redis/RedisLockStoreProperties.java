package io.github.distlock.store.redis;

import java.time.Duration;

/** Settings of a lock store of type redis, under {@code distributed-lock.stores.<name>.redis}. */
public class RedisLockStoreProperties {

    /**
     * Name of the RedisConnectionFactory bean the store uses. Leave empty to use the application's only (or
     * primary) one, the one Spring Boot configures from spring.data.redis.*. Connection settings (host, Sentinel,
     * Cluster, SSL, username/password, command timeout) all come from that connection factory.
     */
    private String connectionFactory;

    /**
     * How long an unlocked lock key stays in Redis as a tombstone holding its last fencing token, so that the next
     * grant's token is larger whatever the server clock does meanwhile. Zero removes the key at Unlock; the tokens
     * then rest on the server clock alone (README, "Fencing tokens").
     */
    private Duration fencingTokenRetention = RedisLockStore.DEFAULT_TOKEN_RETENTION;

    public String getConnectionFactory() {
        return connectionFactory;
    }

    public void setConnectionFactory(String connectionFactory) {
        this.connectionFactory = connectionFactory;
    }

    public Duration getFencingTokenRetention() {
        return fencingTokenRetention;
    }

    public void setFencingTokenRetention(Duration fencingTokenRetention) {
        this.fencingTokenRetention = fencingTokenRetention;
    }
}
