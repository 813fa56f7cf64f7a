package io.github.distlock.store.redis;

import java.time.Duration;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import io.github.distlock.api.InvalidLockConfigurationException;
import io.github.distlock.spi.LockStore;
import io.github.distlock.spi.LockStoreDefinition;
import io.github.distlock.spi.LockStoreFactory;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import org.springframework.beans.factory.ListableBeanFactory;
import org.springframework.beans.factory.NoSuchBeanDefinitionException;
import org.springframework.beans.factory.NoUniqueBeanDefinitionException;
import org.springframework.data.redis.connection.RedisConnectionFactory;

/** Store type {@code redis}: {@link RedisLockStore}s on the application's {@link RedisConnectionFactory} beans. */
public class RedisLockStoreFactory implements LockStoreFactory<RedisLockStoreProperties> {

    private static final Log logger = LogFactory.getLog(RedisLockStoreFactory.class);

    /** The type id, as written in {@code distributed-lock.stores.<name>.type}. */
    public static final String TYPE = "redis";

    /** What to add when Spring Data Redis is missing. */
    static final String REQUIRED_DEPENDENCY = "org.springframework.boot:spring-boot-starter-data-redis";

    private final ListableBeanFactory beanFactory;
    /** What each store built here runs on, for {@link #describe}; stores are compared by identity. */
    private final Map<LockStore, Built> built = new ConcurrentHashMap<>();

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
        Duration timeout = properties.getOperationTimeout();
        if (timeout == null || timeout.isNegative() || timeout.isZero()) {
            throw new InvalidLockConfigurationException(definition.property("operation-timeout"),
                    "'" + timeout + "' is not a positive duration.", "Set it to e.g. 3s.");
        }
        RedisConnectionFactory connectionFactory = connectionFactory(definition.storeName(),
                properties.getConnectionFactory(), definition.property("connection-factory"));
        boolean shared = RedisLockStore.usesSharedLettuceConnection(connectionFactory);
        if (!shared) {
            logger.info("Lock store '" + definition.storeName() + "' borrows a Redis connection per call (no shared "
                    + "Lettuce connection): its calls wait the client's own timeouts (spring.data.redis.timeout, "
                    + "the pool's max-wait), not " + definition.property("operation-timeout"));
        }
        RedisLockStore store = new RedisLockStore(connectionFactory, timeout, retention);
        built.put(store, new Built(connectionFactory, shared ? timeout : null));
        return store;
    }

    /** {@code address} (host and port, or the Sentinel or Cluster nodes) and {@code operationTimeout}. */
    @Override
    public Map<String, Object> describe(LockStore store) {
        Built on = built.get(store);
        if (on == null) {
            return Map.of();
        }
        Map<String, Object> details = new LinkedHashMap<>();
        details.put(ADDRESS, RedisAddress.of(on.connectionFactory()));
        details.put("operationTimeout", on.operationTimeout() != null ? on.operationTimeout()
                : "the client's (connection per call)");
        return details;
    }

    /** A {@code PING} on the store's connection, within its operation timeout. */
    @Override
    public void checkConnection(LockStore store, Duration maxWait) {
        ((RedisLockStore) store).ping();
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

    private record Built(RedisConnectionFactory connectionFactory, Duration operationTimeout) {
    }

    private static String missingAction() {
        return "Add " + REQUIRED_DEPENDENCY + " and configure spring.data.redis.*, "
                + "or define a RedisConnectionFactory bean.";
    }
}
