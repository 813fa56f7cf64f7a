package io.github.distlock.store.etcd;

import io.etcd.jetcd.Client;
import io.github.distlock.autoconfigure.DistributedLockAutoConfiguration;
import io.github.distlock.autoconfigure.LockStoreRegistry;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.health.autoconfigure.contributor.ConditionalOnEnabledHealthIndicator;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.boot.ssl.SslBundles;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** The etcd lock store type, when jetcd is on the classpath; its health indicator when Actuator's health is too. */
// After the lock auto-configuration: the health indicator needs its LockStoreRegistry. The registry finds this
// factory whatever the order, through an ObjectProvider.
@AutoConfiguration(after = DistributedLockAutoConfiguration.class)
@ConditionalOnClass(Client.class)
@ConditionalOnBooleanProperty(name = "distributed-lock.enabled", matchIfMissing = true)
public class EtcdLockStoreAutoConfiguration {

    @Bean
    @ConditionalOnMissingBean
    EtcdLockStoreFactory etcdLockStoreFactory(ObjectProvider<Client> clientBean,
            ObjectProvider<SslBundles> sslBundles) {
        return new EtcdLockStoreFactory(clientBean, sslBundles);
    }

    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(HealthIndicator.class)
    static class EtcdLockStoreHealthConfiguration {

        // One level further in: its condition's class is in spring-boot-health, and Spring reads a class's
        // conditions before evaluating any of them, so they may only be read once HealthIndicator is known present.
        @Configuration(proxyBeanMethods = false)
        @ConditionalOnEnabledHealthIndicator("distributed-lock-etcd")
        static class EnabledEtcdLockStoreHealthConfiguration {

            @Bean
            @ConditionalOnMissingBean(name = "distributedLockEtcdHealthIndicator")
            @ConditionalOnBean(LockStoreRegistry.class)
            EtcdLockStoreHealthIndicator distributedLockEtcdHealthIndicator(LockStoreRegistry registry) {
                return new EtcdLockStoreHealthIndicator(registry);
            }
        }
    }
}
