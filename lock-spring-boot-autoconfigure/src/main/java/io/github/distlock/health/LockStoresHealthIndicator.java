package io.github.distlock.health;

import java.util.LinkedHashMap;
import java.util.Map;

import io.github.distlock.core.LockStoreRegistry;
import io.github.distlock.spi.LockStore;

import org.springframework.boot.health.contributor.AbstractHealthIndicator;
import org.springframework.boot.health.contributor.Health;

/**
 * Health of all lock stores of one store type, as one indicator with a detail per store name: UNKNOWN (detail
 * {@code stores}: "no lock store of type ...") when the registry has no store of the type, UP when every store's
 * {@link #check} says up, DOWN otherwise. A check that throws marks its store DOWN with the exception's message.
 * Checks run one after another, each bounded by the store's own timeouts.
 *
 * @param <S> the store class of the type
 */
public abstract class LockStoresHealthIndicator<S extends LockStore> extends AbstractHealthIndicator {

    private final LockStoreRegistry registry;
    private final Class<S> storeClass;
    private final String type;

    /**
     * @param registry   where the stores are looked up, at every check
     * @param storeClass the class of the type's stores
     * @param type       the type id, as written in configuration ({@code etcd}), for messages
     */
    protected LockStoresHealthIndicator(LockStoreRegistry registry, Class<S> storeClass, String type) {
        super(type + " lock store health check failed");
        this.registry = registry;
        this.storeClass = storeClass;
        this.type = type;
    }

    @Override
    protected final void doHealthCheck(Health.Builder builder) {
        Map<String, S> stores = registry.stores(storeClass);
        if (stores.isEmpty()) {
            // The client library is there but no store uses it: nothing to report on.
            builder.unknown().withDetail("stores", "no lock store of type " + type);
            return;
        }
        boolean allUp = true;
        Map<String, Object> details = new LinkedHashMap<>();
        for (Map.Entry<String, S> entry : stores.entrySet()) {
            StoreHealth health;
            try {
                health = check(entry.getValue());
            } catch (RuntimeException e) {
                health = new StoreHealth(false, "DOWN: " + e.getMessage());
            }
            allUp &= health.up();
            details.put(entry.getKey(), health.details());
        }
        (allUp ? builder.up() : builder.down()).withDetails(details);
    }

    /** Checks one store; may throw, which counts as down. */
    protected abstract StoreHealth check(S store);

    /**
     * What {@link #check} found for one store.
     *
     * @param up      whether the store can lock now
     * @param details shown under the store's name: a word such as {@code "UP"}, or a map of values
     */
    public record StoreHealth(boolean up, Object details) {
    }
}
