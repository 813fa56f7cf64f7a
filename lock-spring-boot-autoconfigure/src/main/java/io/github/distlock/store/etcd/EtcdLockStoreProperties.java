package io.github.distlock.store.etcd;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * Settings of a lock store of type etcd, bound per store from {@code distributed-lock.stores.<name>.etcd}. The
 * annotation only describes the keys to IDEs, under the store name {@code main} (see
 * {@code DistributedLockProperties.Store}).
 */
@ConfigurationProperties("distributed-lock.stores.main.etcd")
public class EtcdLockStoreProperties {

    /**
     * Client URLs of the etcd cluster members, e.g. http://etcd-1:2379 (https:// with ssl-bundle). The client
     * spreads requests over them and moves off a member that fails. Leave empty to use the application's
     * io.etcd.jetcd.Client bean.
     */
    private List<String> endpoints = new ArrayList<>();

    /**
     * Prefix of every lock key in etcd, keeping locks apart from other data in the cluster.
     */
    private String namespace = "/distlock/";

    /**
     * How long connecting to an etcd member may take.
     */
    private Duration connectTimeout = Duration.ofSeconds(3);

    /**
     * How long one lock request to etcd may take before it fails with an error (an unreachable cluster, or one that
     * lost its quorum, answers nothing). Also bounds jetcd's own retries.
     */
    private Duration requestTimeout = Duration.ofSeconds(5);

    /**
     * User name for etcd authentication; none when empty.
     */
    private String username;

    /**
     * Password for etcd authentication, with username.
     */
    private String password;

    /**
     * Name of the Spring Boot SSL bundle (spring.ssl.bundle.*) with the trust material, and the client certificate
     * if etcd asks for one, for TLS to etcd. Endpoints then use https://.
     */
    private String sslBundle;

    public List<String> getEndpoints() {
        return endpoints;
    }

    public void setEndpoints(List<String> endpoints) {
        this.endpoints = endpoints;
    }

    public String getNamespace() {
        return namespace;
    }

    public void setNamespace(String namespace) {
        this.namespace = namespace;
    }

    public Duration getConnectTimeout() {
        return connectTimeout;
    }

    public void setConnectTimeout(Duration connectTimeout) {
        this.connectTimeout = connectTimeout;
    }

    public Duration getRequestTimeout() {
        return requestTimeout;
    }

    public void setRequestTimeout(Duration requestTimeout) {
        this.requestTimeout = requestTimeout;
    }

    public String getUsername() {
        return username;
    }

    public void setUsername(String username) {
        this.username = username;
    }

    public String getPassword() {
        return password;
    }

    public void setPassword(String password) {
        this.password = password;
    }

    public String getSslBundle() {
        return sslBundle;
    }

    public void setSslBundle(String sslBundle) {
        this.sslBundle = sslBundle;
    }
}
