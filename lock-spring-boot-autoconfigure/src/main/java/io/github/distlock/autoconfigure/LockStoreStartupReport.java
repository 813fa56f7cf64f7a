package io.github.distlock.autoconfigure;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import io.github.distlock.api.LockStoreException;
import io.github.distlock.core.DistributedLockClient;
import io.github.distlock.core.LockStoreInfo;
import io.github.distlock.core.LockStoreRegistry;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import org.springframework.beans.factory.DisposableBean;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.SmartInitializingSingleton;

/**
 * Says at startup which lock stores the application uses: one INFO line per store (name, type, address, whether
 * it is the default, and the key prefix, which is silently none without {@code spring.application.name}). Then, on a background thread so that startup is not delayed, asks each store's server
 * whether it answers ({@link LockStoreInfo#checkConnection}); a store that does not gets one WARN naming it and its
 * address. Startup never fails for it: the server may come up later, and until it does, locking through that store
 * fails with {@code LockStoreException}.
 */
class LockStoreStartupReport implements SmartInitializingSingleton, DisposableBean {

    private static final Log logger = LogFactory.getLog(LockStoreStartupReport.class);

    private final LockStoreRegistry registry;
    private final ObjectProvider<DistributedLockClient> clients;
    private final Set<String> configuredNames;
    private final Duration checkTimeout;
    private volatile boolean closed;
    private volatile Thread checker;

    /**
     * @param configuredNames the names under {@code distributed-lock.stores}; a store not among them was made
     *                        because none is configured
     * @param checkTimeout    how long the check may wait for a client that is still connecting; zero: no check
     */
    LockStoreStartupReport(LockStoreRegistry registry, ObjectProvider<DistributedLockClient> clients,
            Set<String> configuredNames, Duration checkTimeout) {
        this.registry = registry;
        this.clients = clients;
        this.configuredNames = configuredNames;
        this.checkTimeout = checkTimeout;
    }

    @Override
    public void afterSingletonsInstantiated() {
        List<LockStoreInfo> stores = LockStoreInfo.of(registry);
        DistributedLockClient client = clients.getIfUnique();
        String prefix = client == null ? "" : ", keyPrefix=" + noneIfEmpty(client.namespace().keyFor(""));
        stores.forEach(store -> logger.info(line(store) + prefix));
        if (checkTimeout.isZero() || checkTimeout.isNegative()) {
            return;
        }
        Thread thread = new Thread(() -> check(stores), "distlock-startup-check");
        thread.setDaemon(true);
        checker = thread;
        thread.start();
    }

    private String line(LockStoreInfo store) {
        String role = store.name().equals(registry.defaultStoreName()) ? "default" : "";
        if (store.factory() != null && !configuredNames.contains(store.name())) {
            role += (role.isEmpty() ? "" : ", ") + "made because distributed-lock.stores is empty";
        }
        Map<String, Object> details = store.details();
        return "Lock store '" + store.name() + "'" + (role.isEmpty() ? "" : " (" + role + ")") + ": "
                + details.entrySet().stream().map(entry -> entry.getKey() + "=" + entry.getValue())
                        .collect(Collectors.joining(", "));
    }

    private static String noneIfEmpty(String prefix) {
        return prefix.isEmpty() ? "none" : prefix;
    }

    private void check(List<LockStoreInfo> stores) {
        for (LockStoreInfo store : stores) {
            if (closed) {
                return;
            }
            try {
                store.checkConnection(checkTimeout);
            } catch (LockStoreException e) {
                if (!closed) {
                    logger.warn("Lock store " + store.label() + " did not answer at startup; locking through it "
                            + "fails with LockStoreException until it does. " + e.getMessage());
                }
            }
        }
    }

    /** Stops the check before the registry closes the stores it asks. */
    @Override
    public void destroy() {
        closed = true;
        Thread thread = checker;
        if (thread != null) {
            thread.interrupt();
        }
    }
}
