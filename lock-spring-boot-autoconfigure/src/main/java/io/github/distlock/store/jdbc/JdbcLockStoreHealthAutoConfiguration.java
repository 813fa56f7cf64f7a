package io.github.distlock.store.jdbc;

import io.github.distlock.core.LockStoreRegistry;

import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.health.autoconfigure.contributor.ConditionalOnEnabledHealthIndicator;
import org.springframework.context.annotation.Bean;

/**
 * Health of the JDBC lock stores, with Spring Boot's health support: {@code distributedLockJdbc}, see
 * {@link JdbcLockStoreHealthIndicator}. Off with {@code management.health.distributed-lock-jdbc.enabled=false}.
 */
@AutoConfiguration(afterName = "io.github.distlock.autoconfigure.DistributedLockAutoConfiguration")
@ConditionalOnClass(name = {"org.springframework.boot.health.contributor.HealthIndicator",
        JdbcLockStoreAutoConfiguration.SPRING_JDBC})
@ConditionalOnBean(LockStoreRegistry.class)
@ConditionalOnEnabledHealthIndicator("distributed-lock-jdbc")
public class JdbcLockStoreHealthAutoConfiguration {

    @Bean
    @ConditionalOnMissingBean(name = "distributedLockJdbcHealthIndicator")
    JdbcLockStoreHealthIndicator distributedLockJdbcHealthIndicator(LockStoreRegistry registry) {
        return new JdbcLockStoreHealthIndicator(registry);
    }
}
