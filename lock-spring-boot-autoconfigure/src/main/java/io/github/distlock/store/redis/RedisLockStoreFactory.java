package io.github.distlock.store.redis;

import java.util.Arrays;

import io.github.distlock.autoconfigure.DistributedLockProperties;
import io.github.distlock.autoconfigure.InvalidLockConfigurationException;
import io.github.distlock.autoconfigure.LockStoreFactory;
import io.github.distlock.autoconfigure.StoreType;
import io.github.distlock.spi.LockStore;

import org.springframework.beans.factory.ListableBeanFactory;
import org.springframework.beans.factory.NoSuchBeanDefinitionException;
import org.springframework.beans.factory.NoUniqueBeanDefinitionException;
import org.springframework.data.redis.connection.RedisConnectionFactory;

/** Builds {@link RedisLockStore}s on the application's {@link RedisConnectionFactory} beans. */
public class RedisLockStoreFactory implements LockStoreFactory {

    private final ListableBeanFactory beanFactory;

    public RedisLockStoreFactory(ListableBeanFactory beanFactory) {
        this.beanFactory = beanFactory;
    }

    @Override
    public StoreType type() {
        return StoreType.REDIS;
    }

    @Override
    public boolean clientAvailable() {
        return connectionFactoryNames().length > 0;
    }

    @Override
    public LockStore create(String storeName, DistributedLockProperties.Store properties) {
        return new RedisLockStore(connectionFactory(storeName, properties.getRedis().getConnectionFactory()));
    }

    private RedisConnectionFactory connectionFactory(String storeName, String beanName) {
        String property = DistributedLockProperties.PREFIX + ".stores." + storeName + ".redis.connection-factory";
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
        return "Add org.springframework.boot:spring-boot-starter-data-redis and configure spring.data.redis.*, "
                + "or define a RedisConnectionFactory bean.";
    }
}
