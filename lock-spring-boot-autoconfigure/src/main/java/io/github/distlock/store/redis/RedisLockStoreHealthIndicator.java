package io.github.distlock.store.redis;

import org.springframework.boot.health.contributor.AbstractHealthIndicator;
import org.springframework.boot.health.contributor.Health;

/**
 * Health of one Redis lock store: UP when Redis answers {@code PING} on the connection the store locks through,
 * within the connection's command timeout; DOWN with the failure otherwise.
 */
public class RedisLockStoreHealthIndicator extends AbstractHealthIndicator {

    private final RedisLockStore store;

    public RedisLockStoreHealthIndicator(RedisLockStore store) {
        super("Redis lock store health check failed");
        this.store = store;
    }

    @Override
    protected void doHealthCheck(Health.Builder builder) {
        builder.up().withDetail("ping", store.ping());
    }
}
