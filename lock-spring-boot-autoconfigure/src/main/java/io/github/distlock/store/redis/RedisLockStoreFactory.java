package io.github.distlock.store.redis;

import java.time.Duration;
import java.util.Arrays;

import io.github.distlock.api.InvalidLockConfigurationException;
import io.github.distlock.spi.LockStore;
import io.github.distlock.spi.LockStoreDefinition;
import io.github.distlock.spi.LockStoreFactory;

import org.springframework.beans.factory.ListableBeanFactory;
import org.springframework.beans.factory.NoSuchBeanDefinitionException;
import org.springframework.beans.factory.NoUniqueBeanDefinitionException;
import org.springframework.data.redis.connection.RedisConnectionFactory;

/** Store type {@code redis}: {@link RedisLockStore}s on the application's {@link RedisConnectionFactory} beans. */
public class RedisLockStoreFactory implements LockStoreFactory<RedisLockStoreProperties> {

    /** The type id, as written in {@code distributed-lock.stores.<name>.type}. */
    public static final String TYPE = "redis";

    /** What to add when Spring Data Redis is missing. */
    static final String REQUIRED_DEPENDENCY = "org.springframework.boot:spring-boot-starter-data-redis";

    private final ListableBeanFactory beanFactory;

    public RedisLockStoreFactory(ListableBeanFactory beanFactory) {
        this.beanFactory = beanFactory;
    }

    @Override
    public String type() {
        return TYPE;
    }

    @Override
    public Class<RedisLockStoreProperties> propertiesType() {
        return RedisLockStoreProperties.class;
    }

    @Override
    public boolean clientAvailable() {
        return connectionFactoryNames().length > 0;
    }

    @Override
    public LockStore create(LockStoreDefinition<RedisLockStoreProperties> definition) {
        RedisLockStoreProperties properties = definition.properties();
        Duration retention = properties.getFencingTokenRetention();
        if (retention == null || retention.isNegative()) {
            throw new InvalidLockConfigurationException(definition.property("fencing-token-retention"),
                    "The fencing token retention must be zero or more, not " + retention + ".",
                    "Set it to a duration such as 10m, or 0 to remove a lock key at Unlock.");
        }
        return new RedisLockStore(connectionFactory(definition.storeName(), properties.getConnectionFactory(),
                definition.property("connection-factory")), retention);
    }

    private RedisConnectionFactory connectionFactory(String storeName, String beanName, String property) {
        String[] available = connectionFactoryNames();
        if (beanName != null && !beanName.isBlank()) {
            try {
                return beanFactory.getBean(beanName, RedisConnectionFactory.class);
            } catch (NoSuchBeanDefinitionException e) {
                throw new InvalidLockConfigurationException(property,
                        "There is no RedisConnectionFactory bean named '" + beanName + "'.",
                        available.length == 0 ? missingAction()
                                : "Set it to one of " + Arrays.toString(available) + ".");
            }
        }
        if (available.length == 0) {
            throw new InvalidLockConfigurationException(property,
                    "Lock store '" + storeName + "' is of type redis but the application has no "
                            + "RedisConnectionFactory bean.", missingAction());
        }
        try {
            return beanFactory.getBean(RedisConnectionFactory.class);
        } catch (NoUniqueBeanDefinitionException e) {
            throw new InvalidLockConfigurationException(property,
                    "The application has several RedisConnectionFactory beans " + Arrays.toString(available)
                            + " and none is primary.", "Set it to the name of the one lock store '" + storeName
                            + "' should use.");
        }
    }

    private String[] connectionFactoryNames() {
        return beanFactory.getBeanNamesForType(RedisConnectionFactory.class);
    }

    private static String missingAction() {
        return "Add " + REQUIRED_DEPENDENCY + " and configure spring.data.redis.*, "
                + "or define a RedisConnectionFactory bean.";
    }
}
