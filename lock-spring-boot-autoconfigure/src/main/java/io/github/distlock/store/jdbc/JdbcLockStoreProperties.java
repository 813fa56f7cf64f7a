package io.github.distlock.store.jdbc;

import java.time.Duration;

import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * Settings of a lock store of type jdbc, bound per store from {@code distributed-lock.stores.<name>.jdbc}. The
 * annotation only describes the keys to IDEs, under the store name {@code main} (see
 * {@code DistributedLockProperties.Store}).
 */
@ConfigurationProperties("distributed-lock.stores.main.jdbc")
public class JdbcLockStoreProperties {

    /**
     * Name of the DataSource bean the store uses. Leave empty to use the application's only (or primary) one, the
     * one Spring Boot configures from spring.datasource.*.
     */
    private String dataSource;

    /**
     * The lock table: an unquoted SQL name, optionally schema-qualified (schema.table).
     */
    private String tableName = "distributed_lock";

    /**
     * Whether to create the lock table at startup when it does not exist (CREATE TABLE IF NOT EXISTS). Off by
     * default: create it with your migrations (the README has the DDL, Flyway and Liquibase snippets).
     */
    private boolean createTable = false;

    /**
     * Longest time one lock statement may take (JDBC query timeout, rounded up to whole seconds, and the
     * connection's network timeout); then the operation fails. Getting a connection from the pool is bounded by
     * the pool's own setting (spring.datasource.hikari.connection-timeout).
     */
    private Duration operationTimeout = Duration.ofSeconds(5);

    /**
     * How often a waiting lock call (@DistributedLock with waitTime) looks again when no release notification can
     * wake it: on MySQL, MariaDB and H2 always, on PostgreSQL while the listening connection is down. A waiter also
     * wakes when the lease it waits for ends.
     */
    private Duration pollInterval = Duration.ofMillis(100);

    /**
     * PostgreSQL only: Unlock sends a NOTIFY, and the store LISTENs (on one connection of the pool, held for it) to
     * wake its waiting lock calls at once. Turn it off for PostgreSQL-compatible databases without NOTIFY; keep it
     * the same on every instance sharing the table, since waiters are only woken by the notifications others send.
     */
    private boolean releaseNotifications = true;

    public String getDataSource() {
        return dataSource;
    }

    public void setDataSource(String dataSource) {
        this.dataSource = dataSource;
    }

    public String getTableName() {
        return tableName;
    }

    public void setTableName(String tableName) {
        this.tableName = tableName;
    }

    public boolean isCreateTable() {
        return createTable;
    }

    public void setCreateTable(boolean createTable) {
        this.createTable = createTable;
    }

    public Duration getOperationTimeout() {
        return operationTimeout;
    }

    public void setOperationTimeout(Duration operationTimeout) {
        this.operationTimeout = operationTimeout;
    }

    public Duration getPollInterval() {
        return pollInterval;
    }

    public void setPollInterval(Duration pollInterval) {
        this.pollInterval = pollInterval;
    }

    public boolean isReleaseNotifications() {
        return releaseNotifications;
    }

    public void setReleaseNotifications(boolean releaseNotifications) {
        this.releaseNotifications = releaseNotifications;
    }
}
