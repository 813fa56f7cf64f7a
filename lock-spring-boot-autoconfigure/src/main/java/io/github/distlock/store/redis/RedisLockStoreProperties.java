package io.github.distlock.store.redis;

import java.time.Duration;

import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * Settings of a lock store of type redis, bound per store from {@code distributed-lock.stores.<name>.redis}. The
 * annotation only describes the keys to IDEs, under the store name {@code main} (see
 * {@code DistributedLockProperties.Store}).
 */
@ConfigurationProperties("distributed-lock.stores.main.redis")
public class RedisLockStoreProperties {

    /** Default of {@link #getOperationTimeout()}. */
    public static final Duration DEFAULT_OPERATION_TIMEOUT = Duration.ofSeconds(3);

    /**
     * Name of the RedisConnectionFactory bean the store uses. Leave empty to use the application's only (or
     * primary) one, the one Spring Boot configures from spring.data.redis.*. Connection settings (host, Sentinel,
     * Cluster, SSL, username/password) all come from that connection factory.
     */
    private String connectionFactory;

    /**
     * Longest wait for Redis in one TryLock, Unlock, LockKeepAlive or health check; then the command is cancelled and
     * the call fails with LockStoreException. Applies to the store's own calls only: the connection factory's
     * command timeout (spring.data.redis.timeout) stays as the application set it. Connections borrowed per call (a
     * pool, Jedis) wait their client's own timeout instead.
     */
    private Duration operationTimeout = DEFAULT_OPERATION_TIMEOUT;

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

    public Duration getOperationTimeout() {
        return operationTimeout;
    }

    public void setOperationTimeout(Duration operationTimeout) {
        this.operationTimeout = operationTimeout;
    }

    public Duration getFencingTokenRetention() {
        return fencingTokenRetention;
    }

    public void setFencingTokenRetention(Duration fencingTokenRetention) {
        this.fencingTokenRetention = fencingTokenRetention;
    }
}
