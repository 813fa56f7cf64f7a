package io.github.distlock.autoconfigure;

/** The kinds of lock store, as written in {@code distributed-lock.stores.<name>.type}. */
public enum StoreType {

    /** Locks in this JVM only; needs nothing. */
    IN_MEMORY("in-memory", "nothing"),
    /** Redis through Spring Data Redis. */
    REDIS("redis", "org.springframework.boot:spring-boot-starter-data-redis"),
    /** ZooKeeper through Curator. */
    ZOOKEEPER("zookeeper", "org.springframework.cloud:spring-cloud-starter-zookeeper (or org.apache.curator:curator-framework)"),
    /** etcd through jetcd. */
    ETCD("etcd", "io.etcd:jetcd-core");

    private final String configName;
    private final String requiredDependency;

    StoreType(String configName, String requiredDependency) {
        this.configName = configName;
        this.requiredDependency = requiredDependency;
    }

    /** The value as written in configuration, also the store name used when no stores are configured. */
    public String configName() {
        return configName;
    }

    /** What to add to the build for this store type to work. */
    public String requiredDependency() {
        return requiredDependency;
    }
}
