package io.github.distlock.health;

import java.util.LinkedHashMap;
import java.util.Map;

import io.github.distlock.core.LockStoreInfo;
import io.github.distlock.core.LockStoreRegistry;

import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.health.autoconfigure.contributor.ConditionalOnEnabledHealthIndicator;
import org.springframework.boot.health.contributor.CompositeHealthContributor;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.context.annotation.Bean;
import org.springframework.core.env.Environment;

/**
 * Health of the lock stores, with Spring Boot's health support: one component, {@code distributedLock}, with one
 * {@link LockStoreHealthIndicator} per store by name, whatever its type. Off with
 * {@code management.health.distributed-lock.enabled=false}; the older per-type switches
 * ({@code management.health.distributed-lock-redis.enabled=false}, ...) still leave out the stores of their type.
 */
@AutoConfiguration(afterName = "io.github.distlock.autoconfigure.DistributedLockAutoConfiguration")
@ConditionalOnClass(name = "org.springframework.boot.health.contributor.HealthIndicator")
@ConditionalOnBean(LockStoreRegistry.class)
@ConditionalOnEnabledHealthIndicator("distributed-lock")
public class DistributedLockHealthAutoConfiguration {

    @Bean
    @ConditionalOnMissingBean(name = "distributedLockHealthContributor")
    CompositeHealthContributor distributedLockHealthContributor(LockStoreRegistry registry, Environment environment) {
        Map<String, HealthIndicator> indicators = new LinkedHashMap<>();
        for (LockStoreInfo store : LockStoreInfo.of(registry)) {
            boolean typeEnabled = store.factory() == null || environment.getProperty(
                    "management.health.distributed-lock-" + store.type() + ".enabled", Boolean.class, true);
            if (typeEnabled) {
                // Health paths are split on '/', so a store name must not contain one.
                indicators.put(store.name().replace('/', '_'), new LockStoreHealthIndicator(store));
            }
        }
        return CompositeHealthContributor.fromMap(indicators);
    }
}
