package io.github.distlock.kotlin

import io.github.distlock.spi.LockStore
import io.github.distlock.store.etcd.EtcdLockStore
import io.github.distlock.store.etcd.EtcdLockStoreFactory
import io.github.distlock.store.etcd.EtcdLockStoreProperties
import io.github.distlock.testsupport.EtcdTestServer
import java.time.Duration
import java.util.function.Supplier

/** Locked suspend functions and flows on a real etcd. */
class EtcdLockedSuspendFunctionsTest : AbstractLockedSuspendFunctionsTest() {

    override fun store(): Supplier<LockStore> = Supplier {
        val properties = EtcdLockStoreProperties()
        properties.endpoints = listOf(EtcdTestServer.shared().endpoint())
        properties.namespace = "/distlock-test/"
        properties.requestTimeout = Duration.ofSeconds(5)
        EtcdLockStore(EtcdLockStoreFactory.newClient(properties, "test.etcd", null), properties.namespace,
            properties.requestTimeout, true)
    }
}
