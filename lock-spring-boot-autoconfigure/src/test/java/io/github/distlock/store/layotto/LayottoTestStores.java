package io.github.distlock.store.layotto;

import java.time.Duration;
import java.util.function.Supplier;

import io.github.distlock.api.LockStoreException;
import io.github.distlock.spi.LockStoreDefinition;

import org.springframework.beans.factory.support.DefaultListableBeanFactory;
import org.springframework.boot.ssl.SslBundles;

/** Layotto stores built by the store type's own factory, as configuration would build them; waiting for a sidecar. */
final class LayottoTestStores {

    private LayottoTestStores() {
    }

    /** A store {@code name} on the sidecar at {@code address}, with {@code sidecarStoreName} and other defaults. */
    static LayottoLockStore create(String name, String address, String sidecarStoreName) {
        LayottoLockStoreProperties settings = new LayottoLockStoreProperties();
        settings.setAddress(address);
        settings.setStoreName(sidecarStoreName);
        return create(name, settings);
    }

    static LayottoLockStore create(String name, LayottoLockStoreProperties settings) {
        LayottoLockStoreFactory factory = new LayottoLockStoreFactory(
                new DefaultListableBeanFactory().getBeanProvider(SslBundles.class));
        return (LayottoLockStore) factory.create(new LockStoreDefinition<>(name, settings,
                LockStoreDefinition.storeProperty(name) + "." + LayottoLockStoreFactory.TYPE));
    }

    /**
     * Calls {@code call} every 50 ms while it fails with {@code UNAVAILABLE} (a sidecar that just came up: the first
     * call after an outage may still see the old connection failure), at most {@code limit}; its result. Other
     * failures are thrown at once.
     */
    static <T> T whenServed(Duration limit, Supplier<T> call) throws InterruptedException {
        long deadline = System.nanoTime() + limit.toNanos();
        while (true) {
            try {
                return call.get();
            } catch (LockStoreException e) {
                if (!e.getMessage().contains("UNAVAILABLE")) {
                    throw e;
                }
                if (System.nanoTime() - deadline > 0) {
                    throw new AssertionError("not served within " + limit, e);
                }
                Thread.sleep(50);
            }
        }
    }
}
