package io.github.distlock.store.inmemory;

import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;

/** The {@code in-memory} store type: always available, it needs no client library. */
@AutoConfiguration
@ConditionalOnBooleanProperty(name = "distributed-lock.enabled", matchIfMissing = true)
public class InMemoryLockStoreAutoConfiguration {

    @Bean
    @ConditionalOnMissingBean
    InMemoryLockStoreFactory inMemoryLockStoreFactory() {
        return new InMemoryLockStoreFactory();
    }
}
