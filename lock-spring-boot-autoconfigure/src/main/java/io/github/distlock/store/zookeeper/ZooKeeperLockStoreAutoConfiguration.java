package io.github.distlock.store.zookeeper;

import io.github.distlock.spi.LockStoreFactory;
import org.apache.curator.framework.CuratorFramework;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingClass;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The zookeeper store type, when Curator is on the classpath. Runs after spring-cloud-zookeeper's auto-configuration,
 * whose {@link CuratorFramework} bean the stores use unless they set their own connect string. Health and the
 * startup log line come from {@link ZooKeeperLockStoreFactory#describe} and
 * {@link ZooKeeperLockStoreFactory#checkConnection}.
 */
@AutoConfiguration(afterName = "org.springframework.cloud.zookeeper.ZookeeperAutoConfiguration")
@ConditionalOnBooleanProperty(name = "distributed-lock.enabled", matchIfMissing = true)
public class ZooKeeperLockStoreAutoConfiguration {

    static final String CURATOR = "org.apache.curator.framework.CuratorFramework";

    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(name = CURATOR)
    static class ZooKeeperStoreTypeConfiguration {

        @Bean
        @ConditionalOnMissingBean(name = "zooKeeperLockStoreFactory")
        ZooKeeperLockStoreFactory zooKeeperLockStoreFactory(ObjectProvider<CuratorFramework> curatorFramework) {
            return new ZooKeeperLockStoreFactory(curatorFramework);
        }
    }

    /** Without Curator, a store of type zookeeper says what to add. */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnMissingClass(CURATOR)
    static class MissingClientConfiguration {

        @Bean
        @ConditionalOnMissingBean(name = "zooKeeperLockStoreFactory")
        LockStoreFactory<Void> zooKeeperLockStoreFactory() {
            // spring-cloud-starter-zookeeper declares Curator optional, so it is needed with the starter too.
            return LockStoreFactory.unavailable(ZooKeeperLockStoreFactory.TYPE, "org.apache.curator:curator-framework "
                    + "(also next to spring-cloud-starter-zookeeper, which does not bring it; version from the Spring "
                    + "Cloud BOM)");
        }
    }
}
