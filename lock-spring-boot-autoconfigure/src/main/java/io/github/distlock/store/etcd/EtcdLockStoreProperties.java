package io.github.distlock.store.etcd;

/** Settings of a lock store of type etcd, under {@code distributed-lock.stores.<name>.etcd}. */
public class EtcdLockStoreProperties {
}
