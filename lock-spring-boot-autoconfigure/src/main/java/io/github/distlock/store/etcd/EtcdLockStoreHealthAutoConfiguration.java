package io.github.distlock.store.etcd;

import io.github.distlock.core.LockStoreRegistry;

import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.health.autoconfigure.contributor.ConditionalOnEnabledHealthIndicator;
import org.springframework.context.annotation.Bean;

/**
 * Health of the etcd lock stores, with Spring Boot's health support: {@code distributedLockEtcd}, see
 * {@link EtcdLockStoreHealthIndicator}. Off with {@code management.health.distributed-lock-etcd.enabled=false}.
 */
@AutoConfiguration(afterName = "io.github.distlock.autoconfigure.DistributedLockAutoConfiguration")
@ConditionalOnClass(name = {"org.springframework.boot.health.contributor.HealthIndicator",
        EtcdLockStoreAutoConfiguration.JETCD})
@ConditionalOnBean(LockStoreRegistry.class)
@ConditionalOnEnabledHealthIndicator("distributed-lock-etcd")
public class EtcdLockStoreHealthAutoConfiguration {

    @Bean
    @ConditionalOnMissingBean(name = "distributedLockEtcdHealthIndicator")
    EtcdLockStoreHealthIndicator distributedLockEtcdHealthIndicator(LockStoreRegistry registry) {
        return new EtcdLockStoreHealthIndicator(registry);
    }
}
