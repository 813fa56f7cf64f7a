package io.github.distlock.web;

import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;

/**
 * Lock failures as problem details ({@link LockProblemDetailsHandler}) in a Spring MVC application;
 * {@link LockProblemDetailsWebFluxAutoConfiguration} does the same for WebFlux. Off with
 * {@code distributed-lock.web.problem-details.enabled=false}.
 */
@AutoConfiguration
@ConditionalOnBooleanProperty(name = "distributed-lock.enabled", matchIfMissing = true)
@ConditionalOnBooleanProperty(name = "distributed-lock.web.problem-details.enabled", matchIfMissing = true)
@ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.SERVLET)
@ConditionalOnClass(name = "org.springframework.web.servlet.DispatcherServlet")
@EnableConfigurationProperties(DistributedLockWebProperties.class)
public class LockProblemDetailsWebMvcAutoConfiguration {

    @Bean
    @ConditionalOnMissingBean
    LockProblemDetailsHandler lockProblemDetailsHandler(DistributedLockWebProperties properties) {
        return new LockProblemDetailsHandler(properties.isIncludeKey());
    }
}
