package io.github.distlock.store.zookeeper;

import io.github.distlock.core.LockStoreRegistry;

import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.health.autoconfigure.contributor.ConditionalOnEnabledHealthIndicator;
import org.springframework.context.annotation.Bean;

/**
 * Health of the ZooKeeper lock stores, with Spring Boot's health support: {@code distributedLockZookeeper}, see
 * {@link ZooKeeperLockStoreHealthIndicator}. Off with
 * {@code management.health.distributed-lock-zookeeper.enabled=false}.
 */
@AutoConfiguration(afterName = "io.github.distlock.autoconfigure.DistributedLockAutoConfiguration")
@ConditionalOnClass(name = {"org.springframework.boot.health.contributor.HealthIndicator",
        ZooKeeperLockStoreAutoConfiguration.CURATOR})
@ConditionalOnBean(LockStoreRegistry.class)
@ConditionalOnEnabledHealthIndicator("distributed-lock-zookeeper")
public class ZooKeeperLockStoreHealthAutoConfiguration {

    @Bean
    @ConditionalOnMissingBean(name = "distributedLockZookeeperHealthIndicator")
    ZooKeeperLockStoreHealthIndicator distributedLockZookeeperHealthIndicator(LockStoreRegistry registry) {
        return new ZooKeeperLockStoreHealthIndicator(registry);
    }
}
