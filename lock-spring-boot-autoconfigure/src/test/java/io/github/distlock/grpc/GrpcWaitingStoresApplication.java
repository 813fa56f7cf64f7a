package io.github.distlock.grpc;

import io.github.distlock.autoconfigure.DistributedLockAutoConfiguration;
import io.github.distlock.store.etcd.EtcdLockStoreAutoConfiguration;
import io.github.distlock.store.inmemory.InMemoryLockStoreAutoConfiguration;
import io.github.distlock.store.redis.RedisLockStoreAutoConfiguration;
import io.github.distlock.store.zookeeper.ZooKeeperLockStoreAutoConfiguration;

import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.ImportAutoConfiguration;
import org.springframework.boot.data.redis.autoconfigure.DataRedisAutoConfiguration;

/**
 * The gRPC Lock API over the network store types, for the {@link AbstractGrpcWaitingTryLockTest} subclasses on a
 * real server: each configures one store of its type. The other types' factories are there but open no client
 * (Lettuce connects on first use, and nothing uses Redis unless a store of type redis is configured).
 */
@SpringBootConfiguration
@ImportAutoConfiguration({DataRedisAutoConfiguration.class, DistributedLockAutoConfiguration.class,
        InMemoryLockStoreAutoConfiguration.class, RedisLockStoreAutoConfiguration.class,
        ZooKeeperLockStoreAutoConfiguration.class, EtcdLockStoreAutoConfiguration.class,
        GrpcLockServerAutoConfiguration.class})
class GrpcWaitingStoresApplication {
}
