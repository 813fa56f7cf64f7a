package io.github.distlock.store.layotto;

import io.github.distlock.core.LockStoreRegistry;

import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.health.autoconfigure.contributor.ConditionalOnEnabledHealthIndicator;
import org.springframework.context.annotation.Bean;

/**
 * Health of the layotto lock stores, with Spring Boot's health support: {@code distributedLockLayotto}, see
 * {@link LayottoLockStoreHealthIndicator}. Off with {@code management.health.distributed-lock-layotto.enabled=false}.
 */
@AutoConfiguration(afterName = "io.github.distlock.autoconfigure.DistributedLockAutoConfiguration")
@ConditionalOnClass(name = {"org.springframework.boot.health.contributor.HealthIndicator",
        LayottoLockStoreAutoConfiguration.GRPC_CHANNEL, LayottoLockStoreAutoConfiguration.GRPC_STUB,
        LayottoLockStoreAutoConfiguration.GRPC_PROTOBUF})
@ConditionalOnBean(LockStoreRegistry.class)
@ConditionalOnEnabledHealthIndicator("distributed-lock-layotto")
public class LayottoLockStoreHealthAutoConfiguration {

    @Bean
    @ConditionalOnMissingBean(name = "distributedLockLayottoHealthIndicator")
    LayottoLockStoreHealthIndicator distributedLockLayottoHealthIndicator(LockStoreRegistry registry) {
        return new LayottoLockStoreHealthIndicator(registry);
    }
}
