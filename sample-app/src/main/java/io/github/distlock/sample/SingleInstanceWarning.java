package io.github.distlock.sample;

import io.github.distlock.core.LockStoreRegistry;
import io.github.distlock.store.inmemory.InMemoryLockStore;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.stereotype.Component;

/**
 * Warns once at startup when orders are locked in memory while the ledger is an H2 file: every instance on this
 * machine opens that file, but each locks only within its own JVM, so a second instance would charge orders twice.
 * Without a profile the sample is a single-instance demo; several instances need a shared lock store.
 */
@Component
@ConditionalOnProperty(name = "sample.ledger.store", havingValue = "jdbc", matchIfMissing = true)
class SingleInstanceWarning {

    private static final Log logger = LogFactory.getLog(SingleInstanceWarning.class);

    SingleInstanceWarning(LockStoreRegistry registry, @Value("${spring.datasource.url:}") String ledgerUrl) {
        String store = registry.defaultStoreName();
        if (ledgerUrl.startsWith("jdbc:h2:file:") && registry.stores(InMemoryLockStore.class).containsKey(store)) {
            logger.warn("Lock store '" + store + "' is in memory: locks are local to this JVM, while the ledger ("
                    + ledgerUrl + ") is shared by every instance on this machine. Run a second instance only with "
                    + "a shared store profile (redis, zookeeper or etcd), or it charges orders twice.");
        }
    }
}
