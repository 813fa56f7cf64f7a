package io.github.distlock.autoconfigure;

import io.github.distlock.core.LockTemplate;
import io.github.distlock.reactive.ReactiveLockTemplate;
import reactor.core.publisher.Mono;

import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;

/** The {@link ReactiveLockTemplate} over the {@link LockTemplate}, when Project Reactor is on the classpath. */
@AutoConfiguration(after = DistributedLockAutoConfiguration.class)
@ConditionalOnClass(Mono.class)
@ConditionalOnBean(LockTemplate.class)
public class ReactiveLockTemplateAutoConfiguration {

    @Bean
    @ConditionalOnMissingBean
    ReactiveLockTemplate reactiveLockTemplate(LockTemplate lockTemplate) {
        return new ReactiveLockTemplate(lockTemplate);
    }
}
