package io.github.distlock.store.etcd;

import io.etcd.jetcd.Client;
import io.github.distlock.core.LockStoreRegistry;
import io.github.distlock.spi.LockStoreFactory;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingClass;
import org.springframework.boot.health.autoconfigure.contributor.ConditionalOnEnabledHealthIndicator;
import org.springframework.boot.ssl.SslBundles;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** The etcd lock store type, when jetcd is on the classpath; its health indicator when Actuator's health is too. */
// After the lock auto-configuration: the health indicator needs its LockStoreRegistry. The registry finds this
// factory whatever the order, through an ObjectProvider.
@AutoConfiguration(afterName = "io.github.distlock.autoconfigure.DistributedLockAutoConfiguration")
@ConditionalOnBooleanProperty(name = "distributed-lock.enabled", matchIfMissing = true)
public class EtcdLockStoreAutoConfiguration {

    static final String JETCD = "io.etcd.jetcd.Client";

    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(name = JETCD)
    static class EtcdStoreTypeConfiguration {

        @Bean
        @ConditionalOnMissingBean(name = "etcdLockStoreFactory")
        EtcdLockStoreFactory etcdLockStoreFactory(ObjectProvider<Client> clientBean,
                ObjectProvider<SslBundles> sslBundles) {
            return new EtcdLockStoreFactory(clientBean, sslBundles);
        }
    }

    /** Without jetcd, a store of type etcd says what to add. */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnMissingClass(JETCD)
    static class MissingClientConfiguration {

        @Bean
        @ConditionalOnMissingBean(name = "etcdLockStoreFactory")
        LockStoreFactory<Void> etcdLockStoreFactory() {
            return LockStoreFactory.unavailable(EtcdLockStoreFactory.TYPE, "io.etcd:jetcd-core");
        }
    }

    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(name = {JETCD, "org.springframework.boot.health.contributor.HealthIndicator"})
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
