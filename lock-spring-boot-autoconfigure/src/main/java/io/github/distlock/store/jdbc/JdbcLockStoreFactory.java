package io.github.distlock.store.jdbc;

import java.time.Duration;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

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
    /** The database URL of each store built here, for {@link #describe}; stores are compared by identity. */
    private final Map<LockStore, String> addresses = new ConcurrentHashMap<>();

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
        LockTableSetup.PreparedTable prepared = LockTableSetup.prepare(definition, dataSource, connections, table);
        LockTableDialect dialect = prepared.dialect();
        JdbcLockStore store;
        if (!(dialect instanceof PostgresLockTable) || !properties.isReleaseNotifications() || !PGJDBC_PRESENT) {
            store = new JdbcLockStore(dialect, connections, pollInterval, null, null);
        } else {
            NotificationWaiters waiters = new NotificationWaiters();
            PostgresReleaseListener listener = new PostgresReleaseListener(dataSource, waiters, operationTimeout,
                    definition.storeName());
            listener.start();
            store = new JdbcLockStore(dialect, connections, pollInterval, waiters, listener);
        }
        addresses.put(store, address(prepared.url()));
        return store;
    }

    /**
     * {@code address} (the database's JDBC URL, without user, password and parameters), {@code database},
     * {@code table}, and on PostgreSQL {@code releaseNotifications}: {@code listening}, or
     * {@code reconnecting (waiters poll)} while the listening connection is lost.
     */
    @Override
    public Map<String, Object> describe(LockStore store) {
        JdbcLockStore jdbc = (JdbcLockStore) store;
        Map<String, Object> details = new LinkedHashMap<>();
        details.put(ADDRESS, addresses.getOrDefault(store, "?"));
        details.put("database", jdbc.databaseName());
        details.put("table", jdbc.tableName());
        if (jdbc.notifying()) {
            details.put("releaseNotifications", jdbc.listening() ? "listening" : "reconnecting (waiters poll)");
        }
        return details;
    }

    /** A query on the lock table that reads no row, within the store's operation timeout. */
    @Override
    public void checkConnection(LockStore store, Duration maxWait) {
        ((JdbcLockStore) store).checkReachable();
    }

    /**
     * {@code url} without what may carry credentials: user info before {@code @}, and parameters after {@code ?}
     * or {@code ;} ({@code jdbc:postgresql://db:5432/app?password=x} gives {@code jdbc:postgresql://db:5432/app}).
     */
    static String address(String url) {
        if (url == null) {
            return "?";
        }
        int end = url.length();
        for (char separator : new char[] {'?', ';'}) {
            int at = url.indexOf(separator);
            if (at >= 0 && at < end) {
                end = at;
            }
        }
        String address = url.substring(0, end);
        int hosts = address.indexOf("//");
        int userInfo = address.indexOf('@');
        if (hosts >= 0 && userInfo > hosts) {
            address = address.substring(0, hosts + 2) + address.substring(userInfo + 1);
        }
        return address;
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
