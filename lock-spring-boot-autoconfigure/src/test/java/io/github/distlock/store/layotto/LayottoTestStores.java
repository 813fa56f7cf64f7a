package io.github.distlock.store.layotto;

import io.github.distlock.spi.LockStoreDefinition;

import org.springframework.beans.factory.support.DefaultListableBeanFactory;
import org.springframework.boot.ssl.SslBundles;

/** Layotto stores built by the store type's own factory, as configuration would build them. */
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
}
