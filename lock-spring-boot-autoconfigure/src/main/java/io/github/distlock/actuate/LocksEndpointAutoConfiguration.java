package io.github.distlock.actuate;

import io.github.distlock.core.HeldLocks;

import org.springframework.boot.actuate.autoconfigure.endpoint.condition.ConditionalOnAvailableEndpoint;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.context.annotation.Bean;

/**
 * The {@code locks} actuator endpoint ({@link LocksEndpoint}), with Spring Boot's actuator on the classpath. It is
 * available as any endpoint is: exposed over HTTP with {@code management.endpoints.web.exposure.include=locks}.
 */
@AutoConfiguration(afterName = "io.github.distlock.autoconfigure.DistributedLockAutoConfiguration")
@ConditionalOnClass(name = "org.springframework.boot.actuate.autoconfigure.endpoint.condition.ConditionalOnAvailableEndpoint")
@ConditionalOnBean(HeldLocks.class)
@EnableConfigurationProperties(LocksEndpointProperties.class)
public class LocksEndpointAutoConfiguration {

    @Bean
    @ConditionalOnMissingBean
    @ConditionalOnAvailableEndpoint
    LocksEndpoint locksEndpoint(HeldLocks heldLocks, LocksEndpointProperties properties,
            ApplicationEventPublisher events) {
        return new LocksEndpoint(heldLocks, properties.getForceRelease().isEnabled(), events);
    }
}
