package io.github.distlock.store.etcd;

import io.etcd.jetcd.Client;
import io.github.distlock.spi.LockStoreFactory;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingClass;
import org.springframework.boot.ssl.SslBundles;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The etcd lock store type, when jetcd is on the classpath (health and the startup log line: see
 * {@link EtcdLockStoreFactory#describe} and {@link EtcdLockStoreFactory#checkConnection}).
 */
@AutoConfiguration
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
}
