package io.github.distlock.store.redis;

import java.util.LinkedHashMap;
import java.util.Map;

import io.github.distlock.autoconfigure.DistributedLockAutoConfiguration;
import io.github.distlock.autoconfigure.LockStoreRegistry;

import org.springframework.beans.factory.ListableBeanFactory;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.health.autoconfigure.contributor.ConditionalOnEnabledHealthIndicator;
import org.springframework.boot.health.contributor.CompositeHealthContributor;
import org.springframework.boot.health.contributor.HealthContributor;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.data.redis.connection.RedisConnectionFactory;

/**
 * The redis lock store type, when Spring Data Redis is on the classpath; and, with Actuator's health support, a
 * health indicator per Redis lock store ({@code distributedLockRedis/<store name>}; off with
 * {@code management.health.distributed-lock-redis.enabled=false}).
 */
@AutoConfiguration(after = DistributedLockAutoConfiguration.class,
        afterName = "org.springframework.boot.data.redis.autoconfigure.DataRedisAutoConfiguration")
@ConditionalOnClass(RedisConnectionFactory.class)
@ConditionalOnBooleanProperty(name = "distributed-lock.enabled", matchIfMissing = true)
public class RedisLockStoreAutoConfiguration {

    @Bean
    @ConditionalOnMissingBean
    RedisLockStoreFactory redisLockStoreFactory(ListableBeanFactory beanFactory) {
        return new RedisLockStoreFactory(beanFactory);
    }

    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(name = "org.springframework.boot.health.contributor.HealthContributor")
    @ConditionalOnBean(LockStoreRegistry.class)
    @ConditionalOnEnabledHealthIndicator("distributed-lock-redis")
    static class HealthConfiguration {

        @Bean
        @ConditionalOnMissingBean(name = "distributedLockRedisHealthContributor")
        HealthContributor distributedLockRedisHealthContributor(LockStoreRegistry registry) {
            Map<String, RedisLockStoreHealthIndicator> indicators = new LinkedHashMap<>();
            registry.stores().forEach((name, store) -> {
                if (store instanceof RedisLockStore redisStore) {
                    // Health paths are split on '/', so a store name must not contain one.
                    indicators.put(name.replace('/', '_'), new RedisLockStoreHealthIndicator(redisStore));
                }
            });
            return CompositeHealthContributor.fromMap(indicators);
        }
    }
}
