package io.github.distlock.store.redis;

/** Settings of a lock store of type redis, under {@code distributed-lock.stores.<name>.redis}. */
public class RedisLockStoreProperties {
}
