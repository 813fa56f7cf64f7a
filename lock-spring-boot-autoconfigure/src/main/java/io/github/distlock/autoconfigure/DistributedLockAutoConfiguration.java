package io.github.distlock.autoconfigure;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

import io.github.distlock.annotation.DistributedLockBeanPostProcessor;
import io.github.distlock.annotation.DistributedLockInterceptor;
import io.github.distlock.api.LockKeyNamespace;
import io.github.distlock.api.LockOptions;
import io.github.distlock.core.DistributedLockClient;
import io.github.distlock.core.LockTemplate;
import io.github.distlock.core.LockWatchdog;
import io.github.distlock.metrics.LockAcquireObservationConvention;
import io.github.distlock.metrics.LockHoldObservationConvention;
import io.github.distlock.metrics.LockMetrics;
import io.github.distlock.metrics.LockRecorders;
import io.github.distlock.metrics.MicrometerLockMetrics;
import io.github.distlock.spi.LockStore;
import io.github.distlock.api.InvalidLockConfigurationException;
import io.github.distlock.core.HeldLocks;
import io.github.distlock.core.HeldLocksShutdown;
import io.github.distlock.core.LockStoreRegistry;
import io.github.distlock.spi.LockStoreFactory;
import io.github.distlock.transaction.LockCheckingTransactionListener;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.observation.ObservationRegistry;

import org.springframework.beans.factory.ListableBeanFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.config.BeanDefinition;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingClass;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Role;
import org.springframework.core.env.Environment;

/**
 * Distributed locks: the stores of {@code distributed-lock.stores}, the {@link DistributedLockClient}, the
 * {@link LockTemplate} above it with its {@link LockWatchdog} (observed with the {@link ObservationRegistry} bean, when
 * there is one), the {@code @DistributedLock} interceptor, and with
 * spring-tx the check of transactions begun inside locks. Every bean backs off when the
 * application defines its own.
 */
@AutoConfiguration
@ConditionalOnBooleanProperty(name = "distributed-lock.enabled", matchIfMissing = true)
@EnableConfigurationProperties(DistributedLockProperties.class)
public class DistributedLockAutoConfiguration {

    @Bean
    @ConditionalOnMissingBean
    LockStoreRegistry lockStoreRegistry(DistributedLockProperties properties,
            ObjectProvider<LockStoreFactory<?>> factories, ListableBeanFactory beanFactory, Environment environment) {
        Map<String, LockStore> beanStores = new LinkedHashMap<>(beanFactory.getBeansOfType(LockStore.class));
        Map<String, String> storeTypes = new LinkedHashMap<>();
        properties.getStores().forEach((name, store) -> storeTypes.put(name, store.getType()));
        return LockStoreRegistry.build(storeTypes, properties.getDefaultStore(), factories.orderedStream().toList(),
                beanStores, Binder.get(environment));
    }

    @Bean
    @ConditionalOnMissingBean
    LockStoreStartupReport lockStoreStartupReport(LockStoreRegistry registry, DistributedLockProperties properties,
            ObjectProvider<DistributedLockClient> clients) {
        Duration timeout = properties.getStartupCheckTimeout();
        return new LockStoreStartupReport(registry, clients, properties.getStores().keySet(),
                timeout != null ? timeout : Duration.ZERO);
    }

    @Bean
    @ConditionalOnMissingBean
    DistributedLockClient distributedLockClient(LockStoreRegistry registry, DistributedLockProperties properties,
            Environment environment) {
        String prefix = properties.getKeyPrefix() != null ? properties.getKeyPrefix()
                : environment.getProperty("spring.application.name");
        return new DistributedLockClient(registry.stores(), registry.defaultStoreName(), LockKeyNamespace.of(prefix));
    }

    @Bean
    @ConditionalOnMissingBean
    LockRecorders lockRecorders(ObjectProvider<LockMetrics> metrics, ObjectProvider<ObservationRegistry> observations,
            ObjectProvider<LockAcquireObservationConvention> acquireConvention,
            ObjectProvider<LockHoldObservationConvention> holdConvention) {
        return new LockRecorders(metrics.getIfAvailable(() -> LockMetrics.NOOP),
                observations.getIfAvailable(() -> ObservationRegistry.NOOP), acquireConvention.getIfAvailable(),
                holdConvention.getIfAvailable());
    }

    @Bean
    @ConditionalOnMissingBean
    HeldLocks heldLocks() {
        return new HeldLocks();
    }

    @Bean
    @ConditionalOnMissingBean
    LockWatchdog lockWatchdog(DistributedLockClient client, LockRecorders recorders,
            DistributedLockProperties properties, ApplicationEventPublisher events) {
        return new LockWatchdog(client, recorders.metrics(), properties.getRenewal().isEnabled(), events::publishEvent);
    }

    @Bean
    @ConditionalOnMissingBean
    LockTemplate lockTemplate(DistributedLockClient client, LockRecorders recorders,
            DistributedLockProperties properties, LockWatchdog watchdog, HeldLocks heldLocks) {
        return new LockTemplate(client, recorders, checkedDefaultExpire(properties.getDefaultExpire()), watchdog,
                heldLocks);
    }

    @Bean
    @ConditionalOnMissingBean
    HeldLocksShutdown heldLocksShutdown(HeldLocks heldLocks, DistributedLockProperties properties) {
        Duration wait = properties.getShutdownWait();
        if (wait == null || wait.isNegative()) {
            throw new InvalidLockConfigurationException(DistributedLockProperties.PREFIX + ".shutdown-wait",
                    "'" + wait + "' is not a duration of zero or more.", "Set it to e.g. 30s, or 0s not to wait.");
        }
        return new HeldLocksShutdown(heldLocks, wait);
    }

    @Bean
    @ConditionalOnMissingBean
    @Role(BeanDefinition.ROLE_INFRASTRUCTURE)
    static DistributedLockBeanPostProcessor distributedLockBeanPostProcessor(ObjectProvider<LockTemplate> template) {
        // The template is resolved at the first call: a post-processor must not pull beans in early.
        return new DistributedLockBeanPostProcessor(new DistributedLockInterceptor(template));
    }

    static Duration checkedDefaultExpire(Duration expire) {
        String property = DistributedLockProperties.PREFIX + ".default-expire";
        if (expire == null) {
            throw new InvalidLockConfigurationException(property, "It is empty.", "Set it to e.g. 30s.");
        }
        try {
            LockOptions.expireSeconds(expire);
        } catch (IllegalArgumentException e) {
            throw new InvalidLockConfigurationException(property, "'" + expire + "' " + e.getMessage(),
                    "Set it to e.g. 30s.");
        }
        return expire;
    }

    /** With spring-tx: a transaction begun inside a lock does not commit once the lock is lost. */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(name = "org.springframework.transaction.TransactionExecutionListener")
    static class TransactionConfiguration {

        @Bean
        @ConditionalOnMissingBean
        LockCheckingTransactionListener lockCheckingTransactionListener() {
            return new LockCheckingTransactionListener();
        }
    }

    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(MeterRegistry.class)
    static class MicrometerMetricsConfiguration {

        @Bean
        @ConditionalOnMissingBean
        LockMetrics lockMetrics(ObjectProvider<MeterRegistry> registry) {
            MeterRegistry meterRegistry = registry.getIfAvailable();
            return meterRegistry == null ? LockMetrics.NOOP : new MicrometerLockMetrics(meterRegistry);
        }
    }

    @Configuration(proxyBeanMethods = false)
    @ConditionalOnMissingClass("io.micrometer.core.instrument.MeterRegistry")
    static class NoMetricsConfiguration {

        @Bean
        @ConditionalOnMissingBean
        LockMetrics lockMetrics() {
            return LockMetrics.NOOP;
        }
    }
}
