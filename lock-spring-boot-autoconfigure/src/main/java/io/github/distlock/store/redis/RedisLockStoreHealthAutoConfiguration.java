package io.github.distlock.store.redis;

import java.util.LinkedHashMap;
import java.util.Map;

import io.github.distlock.core.LockStoreRegistry;

import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.health.autoconfigure.contributor.ConditionalOnEnabledHealthIndicator;
import org.springframework.boot.health.contributor.CompositeHealthContributor;
import org.springframework.context.annotation.Bean;

/**
 * Health of the Redis lock stores, with Spring Boot's health support: {@code distributedLockRedis/<store name>}, one
 * {@link RedisLockStoreHealthIndicator} per store. Off with
 * {@code management.health.distributed-lock-redis.enabled=false}.
 */
@AutoConfiguration(afterName = "io.github.distlock.autoconfigure.DistributedLockAutoConfiguration")
@ConditionalOnClass(name = {"org.springframework.boot.health.contributor.HealthIndicator",
        RedisLockStoreAutoConfiguration.REDIS_CLIENT})
@ConditionalOnBean(LockStoreRegistry.class)
@ConditionalOnEnabledHealthIndicator("distributed-lock-redis")
public class RedisLockStoreHealthAutoConfiguration {

    @Bean
    @ConditionalOnMissingBean(name = "distributedLockRedisHealthContributor")
    CompositeHealthContributor distributedLockRedisHealthContributor(LockStoreRegistry registry) {
        Map<String, RedisLockStoreHealthIndicator> indicators = new LinkedHashMap<>();
        // Health paths are split on '/', so a store name must not contain one.
        registry.stores(RedisLockStore.class).forEach((name, store) ->
                indicators.put(name.replace('/', '_'), new RedisLockStoreHealthIndicator(store)));
        return CompositeHealthContributor.fromMap(indicators);
    }
}
