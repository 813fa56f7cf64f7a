package io.github.distlock.store.etcd;

import io.github.distlock.spi.LockStore;
import io.github.distlock.testsupport.ChildJvm;

/** Builds the etcd store in a {@link ChildJvm}, from the endpoint of the server. */
public class EtcdChildStoreFactory implements ChildJvm.StoreFactory {

    @Override
    public LockStore create(String endpoint) {
        return EtcdTestStores.store(endpoint);
    }
}
