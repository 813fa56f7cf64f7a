package io.github.distlock.store.jdbc;

import io.github.distlock.spi.LockStoreFactory;

import org.springframework.beans.factory.ListableBeanFactory;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingClass;
import org.springframework.boot.sql.init.dependency.DependsOnDatabaseInitialization;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The jdbc lock store type, when Spring JDBC is on the classpath. Each of its stores is an entry of the
 * {@code distributedLock} health component ({@link JdbcLockStoreFactory#checkConnection}).
 */
@AutoConfiguration(afterName = "org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration")
@ConditionalOnBooleanProperty(name = "distributed-lock.enabled", matchIfMissing = true)
public class JdbcLockStoreAutoConfiguration {

    static final String SPRING_JDBC = "org.springframework.jdbc.core.simple.JdbcClient";

    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(name = SPRING_JDBC)
    static class JdbcStoreTypeConfiguration {

        /**
         * Made after the application's database initialization (Flyway, Liquibase, {@code spring.sql.init}), since
         * the stores it builds check their table at once.
         */
        @Bean
        @ConditionalOnMissingBean(name = "jdbcLockStoreFactory")
        @DependsOnDatabaseInitialization
        JdbcLockStoreFactory jdbcLockStoreFactory(ListableBeanFactory beanFactory) {
            return new JdbcLockStoreFactory(beanFactory);
        }
    }

    /** Without Spring JDBC, a store of type jdbc says what to add. */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnMissingClass(SPRING_JDBC)
    static class MissingClientConfiguration {

        @Bean
        @ConditionalOnMissingBean(name = "jdbcLockStoreFactory")
        LockStoreFactory<Void> jdbcLockStoreFactory() {
            return LockStoreFactory.unavailable(JdbcLockStoreFactory.TYPE, JdbcLockStoreFactory.REQUIRED_DEPENDENCY);
        }
    }
}
