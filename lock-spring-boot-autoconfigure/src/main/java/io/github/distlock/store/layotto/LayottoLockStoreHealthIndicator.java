package io.github.distlock.store.layotto;

import java.util.LinkedHashMap;
import java.util.Map;

import io.github.distlock.core.LockStoreRegistry;
import io.github.distlock.health.LockStoresHealthIndicator;

/**
 * Up when every layotto lock store's sidecar answers an Unlock of a key nobody holds within the store's deadline;
 * down, naming the stores that failed, otherwise. Each store's details give its sidecar's address and whether the
 * sidecar implements LockKeepAlive ({@code keep-alive}: {@code IMPLEMENTED}, {@code NOT_IMPLEMENTED}: locks are not
 * renewed, or {@code UNKNOWN}). Unknown when no store is of type layotto.
 */
public class LayottoLockStoreHealthIndicator extends LockStoresHealthIndicator<LayottoLockStore> {

    public LayottoLockStoreHealthIndicator(LockStoreRegistry registry) {
        super(registry, LayottoLockStore.class, LayottoLockStoreFactory.TYPE);
    }

    @Override
    protected StoreHealth check(LayottoLockStore store) {
        store.checkReachable();
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("status", "UP");
        details.put("address", store.address());
        details.put("keep-alive", store.keepAliveSupport().name());
        return new StoreHealth(true, details);
    }
}
