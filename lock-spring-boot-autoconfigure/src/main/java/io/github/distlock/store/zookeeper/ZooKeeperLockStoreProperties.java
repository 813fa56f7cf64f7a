package io.github.distlock.store.zookeeper;

import java.time.Duration;

import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * Settings of a lock store of type zookeeper, bound per store from {@code distributed-lock.stores.<name>.zookeeper}. The
 * annotation only describes the keys to IDEs, under the store name {@code main} (see
 * {@code DistributedLockProperties.Store}).
 */
@ConfigurationProperties("distributed-lock.stores.main.zookeeper")
public class ZooKeeperLockStoreProperties {

    // Defaults live here, not in the store: this class is bound even when Curator is not on the classpath.
    static final String DEFAULT_ROOT_PATH = "/distlock";
    static final Duration DEFAULT_OPERATION_TIMEOUT = Duration.ofSeconds(5);
    static final Duration DEFAULT_TAKEOVER_DELAY = Duration.ofMillis(500);

    /**
     * ZooKeeper servers to connect to, e.g. 'zk1:2181,zk2:2181,zk3:2181'. Leave empty to use the application's
     * CuratorFramework (the one spring-cloud-zookeeper builds from spring.cloud.zookeeper.connect-string). When set,
     * the store opens its own client and session, closed on shutdown.
     */
    private String connectString;

    /**
     * Absolute path of the node under which lock nodes live. Created (open ACL) when missing; lock nodes get its ACL.
     * Must not be '/'.
     */
    private String rootPath = DEFAULT_ROOT_PATH;

    /**
     * ZooKeeper session timeout of the store's own client (when connect-string is set). Bounds how long the locks of
     * a crashed process stay held. The server clamps it to between 2 and 20 of its ticks.
     */
    private Duration sessionTimeout = Duration.ofSeconds(30);

    /**
     * Connection timeout of the store's own client (when connect-string is set).
     */
    private Duration connectionTimeout = Duration.ofSeconds(15);

    /**
     * Longest a TryLock, Unlock or LockKeepAlive waits for ZooKeeper, waiting for a reconnection included, before it
     * fails with an error.
     */
    private Duration operationTimeout = DEFAULT_OPERATION_TIMEOUT;

    /**
     * How long past the end of a lease, by the ZooKeeper leader's clock, another owner may remove a lock node its
     * holder left (the holder normally removes it itself when the lease ends). Keep it under 1s for overrun locks to
     * be free within a second of their lease even when the holder is cut off from ZooKeeper.
     */
    private Duration takeoverDelay = DEFAULT_TAKEOVER_DELAY;

    public String getConnectString() {
        return connectString;
    }

    public void setConnectString(String connectString) {
        this.connectString = connectString;
    }

    public String getRootPath() {
        return rootPath;
    }

    public void setRootPath(String rootPath) {
        this.rootPath = rootPath;
    }

    public Duration getSessionTimeout() {
        return sessionTimeout;
    }

    public void setSessionTimeout(Duration sessionTimeout) {
        this.sessionTimeout = sessionTimeout;
    }

    public Duration getConnectionTimeout() {
        return connectionTimeout;
    }

    public void setConnectionTimeout(Duration connectionTimeout) {
        this.connectionTimeout = connectionTimeout;
    }

    public Duration getOperationTimeout() {
        return operationTimeout;
    }

    public void setOperationTimeout(Duration operationTimeout) {
        this.operationTimeout = operationTimeout;
    }

    public Duration getTakeoverDelay() {
        return takeoverDelay;
    }

    public void setTakeoverDelay(Duration takeoverDelay) {
        this.takeoverDelay = takeoverDelay;
    }
}
