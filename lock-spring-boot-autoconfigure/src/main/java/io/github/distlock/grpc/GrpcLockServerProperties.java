package io.github.distlock.grpc;

import java.time.Duration;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.util.unit.DataSize;

/** The gRPC Lock API server (Layotto's sidecar API), under {@code distributed-lock.grpc}. */
@ConfigurationProperties(prefix = GrpcLockServerProperties.PREFIX)
public class GrpcLockServerProperties {

    public static final String PREFIX = "distributed-lock.grpc";

    /** Layotto's port, so existing Layotto clients connect unchanged. */
    public static final int DEFAULT_PORT = 34904;

    /**
     * Whether to serve the Lock API (TryLock, Unlock, LockKeepAlive of Layotto's runtime.proto) over gRPC. Needs
     * Spring gRPC on the classpath (org.springframework.grpc:spring-grpc-server-spring-boot-starter).
     */
    private boolean enabled = false;

    /**
     * TCP port of the gRPC Lock API server. 0 picks a free port. This server is separate from any gRPC server of
     * the application (spring.grpc.server.*).
     */
    private int port = DEFAULT_PORT;

    /**
     * Address the server binds to. The default serves this host only, as a sidecar does; '*' or '0.0.0.0' serves
     * every interface (then also set ssl.bundle, the API has no authentication of its own).
     */
    private String address = "127.0.0.1";

    /**
     * Largest request the server accepts. Lock requests are four short fields; anything larger is refused with
     * RESOURCE_EXHAUSTED before it is parsed.
     */
    private DataSize maxInboundMessageSize = DataSize.ofKilobytes(64);

    /**
     * Most calls to blocking stores (every store but in-memory) that the server runs at once, each on a worker
     * thread of its own (made on demand, ended after a minute idle). A call beyond it is refused at once with
     * RESOURCE_EXHAUSTED instead of waiting in a queue. Calls to the in-memory store never wait on anything and are
     * served on the network threads, outside this bound.
     */
    private int maxConcurrentCalls = GrpcLockService.DEFAULT_MAX_CONCURRENT_CALLS;

    /**
     * Longest wait a TryLock may ask for in wait_time_ms (a distlock extension of the Lock API; Layotto's clients
     * never send it). A TryLock asking for more, or for less than 0, is refused with INVALID_ARGUMENT naming the
     * field and this limit. 0 accepts no wait at all.
     */
    private Duration maxWaitTime = GrpcLockService.DEFAULT_MAX_WAIT_TIME;

    /**
     * Most TryLocks with a wait (wait_time_ms above 0) that the server runs at once, each on a thread of its own,
     * apart from max-concurrent-calls so that waits never take the threads the Unlocks they wait for need. One more
     * is refused at once with RESOURCE_EXHAUSTED.
     */
    private int maxWaitingCalls = GrpcLockService.DEFAULT_MAX_WAITING_CALLS;

    /**
     * Failing requests are logged at WARN at most once per store and cause within this interval; the next line
     * tells how many were left out. 0 logs every one.
     */
    private Duration failureLogInterval = GrpcLockService.DEFAULT_FAILURE_LOG_INTERVAL;

    /**
     * How long shutdown waits for requests in progress before cutting them off.
     */
    private Duration shutdownGracePeriod = Duration.ofSeconds(10);

    /**
     * Whether to also serve gRPC server reflection (grpc.reflection.v1), so that tools such as grpcurl can call
     * the API without the .proto file. It describes the Lock API only.
     */
    private boolean reflectionEnabled = true;

    /**
     * TLS of the gRPC Lock API server.
     */
    private final Ssl ssl = new Ssl();

    public boolean isEnabled() {
        return enabled;
    }

    public void setEnabled(boolean enabled) {
        this.enabled = enabled;
    }

    public int getPort() {
        return port;
    }

    public void setPort(int port) {
        this.port = port;
    }

    public String getAddress() {
        return address;
    }

    public void setAddress(String address) {
        this.address = address;
    }

    public DataSize getMaxInboundMessageSize() {
        return maxInboundMessageSize;
    }

    public void setMaxInboundMessageSize(DataSize maxInboundMessageSize) {
        this.maxInboundMessageSize = maxInboundMessageSize;
    }

    public int getMaxConcurrentCalls() {
        return maxConcurrentCalls;
    }

    public void setMaxConcurrentCalls(int maxConcurrentCalls) {
        this.maxConcurrentCalls = maxConcurrentCalls;
    }

    public Duration getMaxWaitTime() {
        return maxWaitTime;
    }

    public void setMaxWaitTime(Duration maxWaitTime) {
        this.maxWaitTime = maxWaitTime;
    }

    public int getMaxWaitingCalls() {
        return maxWaitingCalls;
    }

    public void setMaxWaitingCalls(int maxWaitingCalls) {
        this.maxWaitingCalls = maxWaitingCalls;
    }

    public Duration getFailureLogInterval() {
        return failureLogInterval;
    }

    public void setFailureLogInterval(Duration failureLogInterval) {
        this.failureLogInterval = failureLogInterval;
    }

    public Duration getShutdownGracePeriod() {
        return shutdownGracePeriod;
    }

    public void setShutdownGracePeriod(Duration shutdownGracePeriod) {
        this.shutdownGracePeriod = shutdownGracePeriod;
    }

    public boolean isReflectionEnabled() {
        return reflectionEnabled;
    }

    public void setReflectionEnabled(boolean reflectionEnabled) {
        this.reflectionEnabled = reflectionEnabled;
    }

    public Ssl getSsl() {
        return ssl;
    }

    /** TLS settings. */
    public static class Ssl {

        /**
         * Name of the Spring Boot SSL bundle (spring.ssl.bundle.*) holding the server's key and certificate. Set:
         * the server speaks TLS only. Not set: plaintext.
         */
        private String bundle;

        /**
         * Whether clients must present a certificate, checked against the bundle's trust store: none, optional or
         * require (mutual TLS).
         */
        private ClientAuth clientAuth = ClientAuth.NONE;

        public String getBundle() {
            return bundle;
        }

        public void setBundle(String bundle) {
            this.bundle = bundle;
        }

        public ClientAuth getClientAuth() {
            return clientAuth;
        }

        public void setClientAuth(ClientAuth clientAuth) {
            this.clientAuth = clientAuth;
        }
    }

    /** Client certificate policy. */
    public enum ClientAuth {
        /** Clients are not asked for a certificate. */
        NONE,
        /** Clients may present a certificate; when they do, it must be trusted. */
        OPTIONAL,
        /** Clients must present a trusted certificate (mutual TLS). */
        REQUIRE
    }
}
