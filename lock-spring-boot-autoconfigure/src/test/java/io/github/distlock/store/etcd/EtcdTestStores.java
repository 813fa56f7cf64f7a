package io.github.distlock.store.etcd;

import java.time.Duration;
import java.util.List;

import io.etcd.jetcd.Client;

/** Builds etcd lock stores for tests the way the auto-configuration does, through the factory's client builder. */
final class EtcdTestStores {

    static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(5);
    static final String NAMESPACE = "/distlock-test/";

    private EtcdTestStores() {
    }

    static EtcdLockStoreProperties properties(List<String> endpoints, Duration requestTimeout) {
        EtcdLockStoreProperties properties = new EtcdLockStoreProperties();
        properties.setEndpoints(endpoints);
        properties.setNamespace(NAMESPACE);
        properties.setRequestTimeout(requestTimeout);
        return properties;
    }

    static Client client(List<String> endpoints, Duration requestTimeout) {
        return EtcdLockStoreFactory.newClient(properties(endpoints, requestTimeout), "test.etcd", null);
    }

    static EtcdLockStore store(List<String> endpoints, Duration requestTimeout) {
        return new EtcdLockStore(client(endpoints, requestTimeout), NAMESPACE, requestTimeout, true);
    }

    static EtcdLockStore store(String endpoint) {
        return store(List.of(endpoint), REQUEST_TIMEOUT);
    }
}
