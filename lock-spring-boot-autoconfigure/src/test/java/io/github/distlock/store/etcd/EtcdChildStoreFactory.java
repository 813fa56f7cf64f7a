package io.github.distlock.store.etcd;

import java.util.UUID;

import io.github.distlock.api.LockStatus;
import io.github.distlock.spi.LockStore;
import io.github.distlock.testsupport.ChildJvm;

/** Builds the etcd store in a {@link ChildJvm}, from the endpoint of the server. */
public class EtcdChildStoreFactory implements ChildJvm.StoreFactory {

    @Override
    public LockStore create(String endpoint) {
        EtcdLockStore store = EtcdTestStores.store(endpoint);
        // One lock and unlock first, so that connecting and class loading are done before the child's real tryLock:
        // its lease grant and its put then follow each other closely, which the kill -9 test's timing relies on.
        String key = "child-warm-up-" + UUID.randomUUID();
        String owner = "warm-up";
        if (!store.tryLock(key, owner, 10) || store.unlock(key, owner) != LockStatus.SUCCESS) {
            throw new IllegalStateException("Warm-up lock on " + key + " failed");
        }
        return store;
    }
}
