package io.github.distlock.health;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicReference;

import io.github.distlock.api.LockStoreException;
import io.github.distlock.core.LockStoreInfo;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.boot.health.contributor.Status;

/**
 * Health of one lock store, {@code distributedLock/<store name>}: UP when its server answers the type's connection
 * check (a Redis {@code PING} on the store's connection, a connected ZooKeeper session, a linearizable etcd read;
 * bounded by the store's own timeout), DOWN with {@code error} otherwise; UNKNOWN for an application's
 * {@code LockStore} bean, which has no check. Details: {@code type} and what the type describes ({@code address},
 * held locks where the store counts them).
 *
 * <p>Logs one line per change of state, not per probe: a WARN when the store goes down (without a stack trace),
 * an INFO when it is back up.
 */
public class LockStoreHealthIndicator implements HealthIndicator {

    private static final Log logger = LogFactory.getLog(LockStoreHealthIndicator.class);

    private final LockStoreInfo store;
    private final AtomicReference<Status> lastStatus = new AtomicReference<>();

    public LockStoreHealthIndicator(LockStoreInfo store) {
        this.store = store;
    }

    @Override
    public Health health() {
        Health.Builder health = new Health.Builder().withDetails(store.details());
        if (store.factory() == null) {
            return health.unknown().withDetail("check", "none: an application's LockStore bean").build();
        }
        try {
            store.checkConnection(Duration.ZERO);
            health.up();
        } catch (LockStoreException e) {
            health.down().withDetail("error", e.getMessage());
        }
        Health result = health.build();
        logChange(result);
        return result;
    }

    private void logChange(Health health) {
        Status previous = lastStatus.getAndSet(health.getStatus());
        if (health.getStatus().equals(previous)) {
            return;
        }
        if (Status.DOWN.equals(health.getStatus())) {
            logger.warn("Lock store " + store.label() + " is DOWN: " + health.getDetails().get("error"));
        } else if (previous != null) {
            logger.info("Lock store " + store.label() + " is " + health.getStatus() + " again");
        }
    }
}
