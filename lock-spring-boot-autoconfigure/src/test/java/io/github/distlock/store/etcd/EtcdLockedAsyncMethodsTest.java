package io.github.distlock.store.etcd;

import java.util.function.Supplier;

import io.github.distlock.reactive.AbstractLockedAsyncMethodsTest;
import io.github.distlock.spi.LockStore;
import io.github.distlock.testsupport.EtcdTestServer;

/** Locked {@code Mono} and {@code @Async} methods on a real etcd. */
class EtcdLockedAsyncMethodsTest extends AbstractLockedAsyncMethodsTest {

    @Override
    protected Supplier<LockStore> store() {
        return () -> EtcdTestStores.store(EtcdTestServer.shared().endpoint());
    }
}
