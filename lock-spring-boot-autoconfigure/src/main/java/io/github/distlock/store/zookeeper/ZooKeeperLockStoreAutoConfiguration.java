package io.github.distlock.store.zookeeper;

import io.github.distlock.autoconfigure.LockStoreRegistry;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.binder.MeterBinder;
import org.apache.curator.framework.CuratorFramework;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.health.autoconfigure.contributor.ConditionalOnEnabledHealthIndicator;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The zookeeper store type, when Curator is on the classpath. Runs after spring-cloud-zookeeper's auto-configuration,
 * whose {@link CuratorFramework} bean the stores use unless they set their own connect string.
 */
@AutoConfiguration(afterName = "org.springframework.cloud.zookeeper.ZookeeperAutoConfiguration")
@ConditionalOnClass(CuratorFramework.class)
@ConditionalOnBooleanProperty(name = "distributed-lock.enabled", matchIfMissing = true)
public class ZooKeeperLockStoreAutoConfiguration {

    @Bean
    @ConditionalOnMissingBean
    ZooKeeperLockStoreFactory zooKeeperLockStoreFactory(ObjectProvider<CuratorFramework> curatorFramework) {
        return new ZooKeeperLockStoreFactory(curatorFramework);
    }

    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(name = "org.springframework.boot.health.contributor.HealthIndicator")
    @ConditionalOnEnabledHealthIndicator("distributed-lock-zookeeper")
    static class HealthConfiguration {

        @Bean
        @ConditionalOnMissingBean(name = "distributedLockZookeeperHealthIndicator")
        ZooKeeperLockStoreHealthIndicator distributedLockZookeeperHealthIndicator(
                ObjectProvider<LockStoreRegistry> registry) {
            return new ZooKeeperLockStoreHealthIndicator(registry);
        }
    }

    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(name = "io.micrometer.core.instrument.binder.MeterBinder")
    static class MetricsConfiguration {

        /** {@code distributed.lock.lost} (tag {@code store}): locks reported lost with their ZooKeeper session. */
        @Bean
        @ConditionalOnMissingBean(name = "zooKeeperLockStoreMeterBinder")
        MeterBinder zooKeeperLockStoreMeterBinder(ObjectProvider<LockStoreRegistry> registry) {
            return meters -> registry.ifAvailable(stores -> stores.stores().forEach((name, store) -> {
                if (store instanceof ZooKeeperLockStore zooKeeperStore) {
                    FunctionCounter.builder("distributed.lock.lost", zooKeeperStore, ZooKeeperLockStore::lostLockCount)
                            .description("Locks reported lost because the ZooKeeper connection was suspended or "
                                    + "the session lost")
                            .tag("store", name)
                            .register(meters);
                }
            }));
        }
    }
}
