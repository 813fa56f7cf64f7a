package io.github.distlock.store.zookeeper;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

import io.github.distlock.api.InvalidLockConfigurationException;
import io.github.distlock.spi.LockStore;
import io.github.distlock.spi.LockStoreDefinition;
import io.github.distlock.spi.LockStoreFactory;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.retry.ExponentialBackoffRetry;
import org.apache.zookeeper.common.PathUtils;

import org.springframework.beans.factory.ObjectProvider;

/**
 * Store type {@code zookeeper}: {@link ZooKeeperLockStore}s on the application's {@link CuratorFramework}, or on a
 * client of their own when {@code connect-string} is set.
 */
public class ZooKeeperLockStoreFactory implements LockStoreFactory<ZooKeeperLockStoreProperties> {

    /** The type id, as written in {@code distributed-lock.stores.<name>.type}. */
    public static final String TYPE = "zookeeper";

    private final ObjectProvider<CuratorFramework> applicationClient;

    public ZooKeeperLockStoreFactory(ObjectProvider<CuratorFramework> applicationClient) {
        this.applicationClient = applicationClient;
    }

    @Override
    public String type() {
        return TYPE;
    }

    @Override
    public Class<ZooKeeperLockStoreProperties> propertiesType() {
        return ZooKeeperLockStoreProperties.class;
    }

    @Override
    public boolean clientAvailable() {
        return applicationClient.getIfUnique() != null;
    }

    @Override
    public LockStore create(LockStoreDefinition<ZooKeeperLockStoreProperties> definition) {
        ZooKeeperLockStoreProperties properties = definition.properties();
        String storeName = definition.storeName();
        String prefix = definition.propertiesPrefix() + ".";
        String rootPath = checkedRootPath(properties.getRootPath(), prefix + "root-path");
        Duration operationTimeout = positive(properties.getOperationTimeout(), prefix + "operation-timeout");
        Duration takeoverDelay = properties.getTakeoverDelay();
        if (takeoverDelay == null || takeoverDelay.isNegative()) {
            throw new InvalidLockConfigurationException(prefix + "takeover-delay",
                    "'" + takeoverDelay + "' is not a duration of zero or more.", "Set it to e.g. 500ms.");
        }
        String connectString = properties.getConnectString();
        if (connectString != null && !connectString.isBlank()) {
            CuratorFramework client = CuratorFrameworkFactory.builder()
                    .connectString(connectString)
                    .sessionTimeoutMs(millis(positive(properties.getSessionTimeout(), prefix + "session-timeout")))
                    .connectionTimeoutMs(millis(positive(properties.getConnectionTimeout(), prefix + "connection-timeout")))
                    .retryPolicy(new ExponentialBackoffRetry(100, 10, 1000))
                    .build();
            return new ZooKeeperLockStore(storeName, client, true, rootPath, operationTimeout, takeoverDelay);
        }
        CuratorFramework client = applicationClient.getIfUnique();
        if (client == null) {
            throw new InvalidLockConfigurationException(prefix + "connect-string",
                    "Store '" + storeName + "' is of type zookeeper, but no connect string is set and the application "
                            + "has no (single) CuratorFramework bean.",
                    "Set " + prefix + "connect-string, or add spring-cloud-starter-zookeeper (with "
                            + "curator-framework) and set spring.cloud.zookeeper.connect-string.");
        }
        return new ZooKeeperLockStore(storeName, client, false, rootPath, operationTimeout, takeoverDelay);
    }

    /** {@code address} (the connect string), {@code rootPath}, {@code connected}, {@code heldLocks}, {@code lostLocks}. */
    @Override
    public Map<String, Object> describe(LockStore store) {
        ZooKeeperLockStore zookeeper = (ZooKeeperLockStore) store;
        Map<String, Object> details = new LinkedHashMap<>();
        details.put(ADDRESS, zookeeper.connectionString());
        details.put("rootPath", zookeeper.rootPath());
        details.put("connected", zookeeper.isConnected());
        details.put("heldLocks", zookeeper.heldLockCount());
        details.put("lostLocks", zookeeper.lostLockCount());
        return details;
    }

    /** Connected to ZooKeeper, waiting up to {@code maxWait} for a client that is still connecting. */
    @Override
    public void checkConnection(LockStore store, Duration maxWait) {
        ZooKeeperLockStore zookeeper = (ZooKeeperLockStore) store;
        long deadline = System.nanoTime() + maxWait.toNanos();
        while (!zookeeper.isConnected()) {
            if (System.nanoTime() - deadline >= 0) {
                throw new IllegalStateException("Not connected to ZooKeeper at " + zookeeper.connectionString());
            }
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("Interrupted while waiting for the ZooKeeper connection", e);
            }
        }
    }

    private static String checkedRootPath(String rootPath, String property) {
        String problem = null;
        if (rootPath == null || rootPath.isBlank()) {
            problem = "The root path is empty.";
        } else if (rootPath.equals("/")) {
            problem = "The root path is '/': lock nodes would sit next to ZooKeeper's own /zookeeper node.";
        } else {
            String path = rootPath.length() > 1 && rootPath.endsWith("/")
                    ? rootPath.substring(0, rootPath.length() - 1) : rootPath;
            try {
                PathUtils.validatePath(path);
            } catch (IllegalArgumentException e) {
                problem = "'" + rootPath + "' is not a valid ZooKeeper path: " + e.getMessage();
            }
        }
        if (problem != null) {
            throw new InvalidLockConfigurationException(property, problem,
                    "Set it to an absolute path such as " + ZooKeeperLockStore.DEFAULT_ROOT_PATH + ".");
        }
        return rootPath;
    }

    private static Duration positive(Duration duration, String property) {
        if (duration == null || duration.isNegative() || duration.isZero()) {
            throw new InvalidLockConfigurationException(property, "'" + duration + "' is not a positive duration.",
                    "Set it to e.g. 5s.");
        }
        return duration;
    }

    private static int millis(Duration duration) {
        return (int) Math.min(Integer.MAX_VALUE, duration.toMillis());
    }
}
