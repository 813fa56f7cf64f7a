package io.github.distlock.store.redis;

import java.util.LinkedHashMap;
import java.util.Map;

import io.github.distlock.core.LockStoreRegistry;
import io.github.distlock.spi.LockStoreFactory;

import org.springframework.beans.factory.ListableBeanFactory;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingClass;
import org.springframework.boot.health.autoconfigure.contributor.ConditionalOnEnabledHealthIndicator;
import org.springframework.boot.health.contributor.CompositeHealthContributor;
import org.springframework.boot.health.contributor.HealthContributor;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The redis lock store type, when Spring Data Redis is on the classpath; and, with Actuator's health support, a
 * health indicator per Redis lock store ({@code distributedLockRedis/<store name>}; off with
 * {@code management.health.distributed-lock-redis.enabled=false}).
 */
@AutoConfiguration(afterName = {"io.github.distlock.autoconfigure.DistributedLockAutoConfiguration",
        "org.springframework.boot.data.redis.autoconfigure.DataRedisAutoConfiguration"})
@ConditionalOnBooleanProperty(name = "distributed-lock.enabled", matchIfMissing = true)
public class RedisLockStoreAutoConfiguration {

    static final String REDIS_CLIENT = "org.springframework.data.redis.connection.RedisConnectionFactory";

    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(name = REDIS_CLIENT)
    static class RedisStoreTypeConfiguration {

        @Bean
        @ConditionalOnMissingBean(name = "redisLockStoreFactory")
        RedisLockStoreFactory redisLockStoreFactory(ListableBeanFactory beanFactory) {
            return new RedisLockStoreFactory(beanFactory);
        }
    }

    /** Without Spring Data Redis, a store of type redis says what to add. */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnMissingClass(REDIS_CLIENT)
    static class MissingClientConfiguration {

        @Bean
        @ConditionalOnMissingBean(name = "redisLockStoreFactory")
        LockStoreFactory<Void> redisLockStoreFactory() {
            return LockStoreFactory.unavailable(RedisLockStoreFactory.TYPE, RedisLockStoreFactory.REQUIRED_DEPENDENCY);
        }
    }

    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(name = {REDIS_CLIENT, "org.springframework.boot.health.contributor.HealthContributor"})
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
