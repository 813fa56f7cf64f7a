package io.github.distlock.store.zookeeper;

/** Settings of a lock store of type zookeeper, under {@code distributed-lock.stores.<name>.zookeeper}. */
public class ZooKeeperLockStoreProperties {
}
