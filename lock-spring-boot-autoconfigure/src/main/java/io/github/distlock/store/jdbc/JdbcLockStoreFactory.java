package io.github.distlock.store.jdbc;

import java.time.Duration;
import java.util.Arrays;

import javax.sql.DataSource;

import io.github.distlock.api.InvalidLockConfigurationException;
import io.github.distlock.spi.LockStore;
import io.github.distlock.spi.LockStoreDefinition;
import io.github.distlock.spi.LockStoreFactory;

import org.springframework.beans.factory.ListableBeanFactory;
import org.springframework.beans.factory.NoSuchBeanDefinitionException;
import org.springframework.beans.factory.NoUniqueBeanDefinitionException;
import org.springframework.util.ClassUtils;

/**
 * Store type {@code jdbc}: {@link JdbcLockStore}s on the application's {@link DataSource} beans. Never made
 * implicitly: an application with a DataSource gets a jdbc store only when it configures one, since the store
 * needs its table.
 */
public class JdbcLockStoreFactory implements LockStoreFactory<JdbcLockStoreProperties> {

    /** The type id, as written in {@code distributed-lock.stores.<name>.type}. */
    public static final String TYPE = "jdbc";

    /** What to add when Spring JDBC is missing. */
    static final String REQUIRED_DEPENDENCY = "org.springframework.boot:spring-boot-starter-jdbc";

    private static final boolean PGJDBC_PRESENT = ClassUtils.isPresent("org.postgresql.PGConnection",
            JdbcLockStoreFactory.class.getClassLoader());

    private final ListableBeanFactory beanFactory;

    public JdbcLockStoreFactory(ListableBeanFactory beanFactory) {
        this.beanFactory = beanFactory;
    }

    @Override
    public String type() {
        return TYPE;
    }

    @Override
    public Class<JdbcLockStoreProperties> propertiesType() {
        return JdbcLockStoreProperties.class;
    }

    @Override
    public LockStore create(LockStoreDefinition<JdbcLockStoreProperties> definition) {
        JdbcLockStoreProperties properties = definition.properties();
        String table = LockTableName.validate(properties.getTableName(), definition.property("table-name"));
        Duration operationTimeout = positive(properties.getOperationTimeout(),
                definition.property("operation-timeout"));
        Duration pollInterval = positive(properties.getPollInterval(), definition.property("poll-interval"));
        DataSource dataSource = dataSource(definition.storeName(), properties.getDataSource(),
                definition.property("data-source"));
        LockConnections connections = new LockConnections(dataSource, operationTimeout);
        LockTableDialect dialect = LockTableSetup.prepare(definition, dataSource, connections, table);
        if (!(dialect instanceof PostgresLockTable) || !properties.isReleaseNotifications() || !PGJDBC_PRESENT) {
            return new JdbcLockStore(dialect, connections, pollInterval, null, null);
        }
        ReleaseWaiters waiters = new ReleaseWaiters();
        PostgresReleaseListener listener = new PostgresReleaseListener(dataSource, waiters, operationTimeout,
                definition.storeName());
        listener.start();
        return new JdbcLockStore(dialect, connections, pollInterval, waiters, listener);
    }

    private static Duration positive(Duration value, String property) {
        if (value == null || value.isNegative() || value.isZero()) {
            throw new InvalidLockConfigurationException(property, "The duration must be positive, got " + value + ".",
                    "Set it to a positive duration such as 5s or 100ms.");
        }
        return value;
    }

    private DataSource dataSource(String storeName, String beanName, String property) {
        String[] available = beanFactory.getBeanNamesForType(DataSource.class);
        if (beanName != null && !beanName.isBlank()) {
            try {
                return beanFactory.getBean(beanName, DataSource.class);
            } catch (NoSuchBeanDefinitionException e) {
                throw new InvalidLockConfigurationException(property,
                        "There is no DataSource bean named '" + beanName + "'.",
                        available.length == 0 ? missingAction()
                                : "Set it to one of " + Arrays.toString(available) + ".");
            }
        }
        if (available.length == 0) {
            throw new InvalidLockConfigurationException(property,
                    "Lock store '" + storeName + "' is of type jdbc but the application has no DataSource bean.",
                    missingAction());
        }
        try {
            return beanFactory.getBean(DataSource.class);
        } catch (NoUniqueBeanDefinitionException e) {
            throw new InvalidLockConfigurationException(property,
                    "The application has several DataSource beans " + Arrays.toString(available)
                            + " and none is primary.",
                    "Set it to the name of the one lock store '" + storeName + "' should use.");
        }
    }

    private static String missingAction() {
        return "Add " + REQUIRED_DEPENDENCY + " and configure spring.datasource.*, or define a DataSource bean.";
    }
}
