package io.github.distlock.store.redis;

import io.github.distlock.spi.LockStoreFactory;

import org.springframework.beans.factory.ListableBeanFactory;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingClass;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The redis lock store type, when Spring Data Redis is on the classpath (health and the startup log line: see
 * {@link RedisLockStoreFactory#describe} and {@link RedisLockStoreFactory#checkConnection}).
 */
@AutoConfiguration(afterName = "org.springframework.boot.data.redis.autoconfigure.DataRedisAutoConfiguration")
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
}
