package io.github.distlock.grpc;

import java.time.Duration;

import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.TrustManagerFactory;

import io.github.distlock.core.DistributedLockClient;
import io.github.distlock.core.LockTemplate;
import io.github.distlock.core.WaitingLockApi;
import io.github.distlock.api.InvalidLockConfigurationException;
import io.github.distlock.metrics.LockMetrics;
import io.github.distlock.metrics.LockRecorders;
import io.grpc.BindableService;
import io.grpc.TlsServerCredentials;
import io.grpc.protobuf.services.ProtoReflectionServiceV1;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.ssl.SslAutoConfiguration;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.ssl.NoSuchSslBundleException;
import org.springframework.boot.ssl.SslBundle;
import org.springframework.boot.ssl.SslBundles;
import org.springframework.context.ApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.util.ClassUtils;

/**
 * Serves the Lock API over gRPC when {@code distributed-lock.grpc.enabled=true}: a {@link GrpcLockService} on a
 * {@link GrpcLockServer} of its own. Needs Spring gRPC's server starter on the classpath; enabling it without
 * stops the application with a message saying what to add, rather than silently serving nothing.
 */
@AutoConfiguration(after = SslAutoConfiguration.class,
        afterName = "io.github.distlock.autoconfigure.DistributedLockAutoConfiguration")
@ConditionalOnBooleanProperty(name = GrpcLockServerProperties.PREFIX + ".enabled")
@EnableConfigurationProperties(GrpcLockServerProperties.class)
public class GrpcLockServerAutoConfiguration {

    static final String SPRING_GRPC_SERVER_FACTORY = "org.springframework.grpc.server.NettyGrpcServerFactory";

    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(name = {SPRING_GRPC_SERVER_FACTORY, "io.grpc.netty.NettyServerBuilder",
            "io.grpc.protobuf.ProtoUtils"})
    @ConditionalOnBean(DistributedLockClient.class)
    static class GrpcLockServerConfiguration {

        @Bean
        @ConditionalOnMissingBean
        GrpcLockService grpcLockService(DistributedLockClient client, ObjectProvider<LockTemplate> template,
                ObjectProvider<LockRecorders> recorders, ObjectProvider<LockMetrics> metrics,
                GrpcLockServerProperties properties) {
            String prefix = GrpcLockServerProperties.PREFIX;
            if (properties.getMaxConcurrentCalls() < 1) {
                throw new InvalidLockConfigurationException(prefix + ".max-concurrent-calls", "'"
                        + properties.getMaxConcurrentCalls() + "' is not a positive number of calls.",
                        "Set it to at least 1 (default " + GrpcLockService.DEFAULT_MAX_CONCURRENT_CALLS + ").");
            }
            Duration interval = properties.getFailureLogInterval();
            if (interval == null || interval.isNegative()) {
                throw new InvalidLockConfigurationException(prefix + ".failure-log-interval", "'" + interval
                        + "' is not a duration of 0 or more.", "Set it to e.g. 1m (0 logs every failure).");
            }
            Duration maxWait = properties.getMaxWaitTime();
            if (maxWait == null || maxWait.isNegative()) {
                throw new InvalidLockConfigurationException(prefix + ".max-wait-time", "'" + maxWait
                        + "' is not a duration of 0 or more.", "Set it to e.g. 30s (0 accepts no wait_time_ms).");
            }
            if (properties.getMaxWaitingCalls() < 1) {
                throw new InvalidLockConfigurationException(prefix + ".max-waiting-calls", "'"
                        + properties.getMaxWaitingCalls() + "' is not a positive number of calls.",
                        "Set it to at least 1 (default " + GrpcLockService.DEFAULT_MAX_WAITING_CALLS + ").");
            }
            // The template's line of waiters, so that gRPC waiters queue with @DistributedLock's on the same key.
            LockTemplate lockTemplate = template.getIfUnique();
            WaitingLockApi locks = lockTemplate != null ? new WaitingLockApi(lockTemplate)
                    : new WaitingLockApi(client);
            return new GrpcLockService(client, locks,
                    recorders.getIfAvailable(() -> new LockRecorders(metrics.getIfAvailable(() -> LockMetrics.NOOP))),
                    properties.getMaxConcurrentCalls(), interval, maxWait, properties.getMaxWaitingCalls());
        }

        @Bean
        @ConditionalOnMissingBean
        GrpcLockServer grpcLockServer(GrpcLockService service, GrpcLockServerProperties properties,
                ObjectProvider<SslBundles> sslBundles) {
            KeyManagerFactory keyManager = null;
            TrustManagerFactory trustManager = null;
            TlsServerCredentials.ClientAuth clientAuth = null;
            String bundleName = properties.getSsl().getBundle();
            if (bundleName != null && !bundleName.isBlank()) {
                SslBundle bundle = sslBundle(bundleName, sslBundles.getIfAvailable());
                keyManager = bundle.getManagers().getKeyManagerFactory();
                clientAuth = TlsServerCredentials.ClientAuth.valueOf(properties.getSsl().getClientAuth().name());
                if (clientAuth != TlsServerCredentials.ClientAuth.NONE) {
                    trustManager = bundle.getManagers().getTrustManagerFactory();
                }
            } else if (properties.getSsl().getClientAuth() != GrpcLockServerProperties.ClientAuth.NONE) {
                throw new InvalidLockConfigurationException(GrpcLockServerProperties.PREFIX + ".ssl.client-auth",
                        "Client certificates are asked for, but TLS is off.",
                        "Set " + GrpcLockServerProperties.PREFIX + ".ssl.bundle to an SSL bundle, or remove "
                                + "client-auth.");
            }
            long maxInbound = properties.getMaxInboundMessageSize().toBytes();
            if (maxInbound < 1 || maxInbound > Integer.MAX_VALUE) {
                throw new InvalidLockConfigurationException(GrpcLockServerProperties.PREFIX
                        + ".max-inbound-message-size", "'" + properties.getMaxInboundMessageSize()
                        + "' is not between 1B and 2GB.", "Set it to e.g. 64KB.");
            }
            return new GrpcLockServer(service, serverAddress(properties.getAddress(), properties.getPort()),
                    (int) maxInbound, properties.getShutdownGracePeriod(), keyManager, trustManager, clientAuth,
                    properties.isReflectionEnabled() ? reflectionService() : null);
        }

        private static SslBundle sslBundle(String name, SslBundles bundles) {
            String property = GrpcLockServerProperties.PREFIX + ".ssl.bundle";
            if (bundles == null) {
                throw new InvalidLockConfigurationException(property, "No SSL bundles are configured.",
                        "Define the bundle '" + name + "' under spring.ssl.bundle.");
            }
            try {
                return bundles.getBundle(name);
            } catch (NoSuchSslBundleException e) {
                throw new InvalidLockConfigurationException(property, "There is no SSL bundle '" + name + "'.",
                        "Define it under spring.ssl.bundle (jks or pem), or correct the name.");
            }
        }

        private static BindableService reflectionService() {
            // grpc-services comes with Spring gRPC's server starter; without it, serve without reflection.
            if (!ClassUtils.isPresent("io.grpc.protobuf.services.ProtoReflectionServiceV1",
                    GrpcLockServerAutoConfiguration.class.getClassLoader())) {
                return null;
            }
            return Reflection.service();
        }
    }

    /** Loaded only once grpc-services is known to be present. */
    private static final class Reflection {

        static BindableService service() {
            return ProtoReflectionServiceV1.newInstance();
        }
    }

    /**
     * {@code distributed-lock.grpc.enabled=true} where the server cannot run (a library missing, locks switched off):
     * stop with the reason instead of silently serving nothing.
     */
    @Configuration(proxyBeanMethods = false)
    static class GrpcLockServerRequirements {

        GrpcLockServerRequirements(ApplicationContext context, ObjectProvider<DistributedLockClient> client) {
            ClassLoader classLoader = context.getClassLoader();
            require(classLoader, SPRING_GRPC_SERVER_FACTORY, "Spring gRPC is not on the classpath.",
                    "Add the dependency org.springframework.grpc:spring-grpc-server-spring-boot-starter (its version "
                            + "comes from the spring-grpc-dependencies BOM), or set it to false.");
            require(classLoader, "io.grpc.netty.NettyServerBuilder", "io.grpc:grpc-netty is not on the classpath "
                    + "(the server runs on grpc-netty; grpc-netty-shaded is not used).",
                    "Add io.grpc:grpc-netty (Spring gRPC's server starter brings it), or set it to false.");
            require(classLoader, "io.grpc.protobuf.ProtoUtils", "io.grpc:grpc-protobuf is not on the classpath.",
                    "Add io.grpc:grpc-protobuf (Spring gRPC's server starter brings it), or set it to false.");
            if (client.getIfAvailable() == null) {
                throw new InvalidLockConfigurationException(GrpcLockServerProperties.PREFIX + ".enabled",
                        "The gRPC Lock API is enabled, but there is no DistributedLockClient to serve (distributed "
                                + "locks are switched off with distributed-lock.enabled=false).",
                        "Set distributed-lock.enabled=true, or set it to false.");
            }
        }

        private static void require(ClassLoader classLoader, String className, String problem, String action) {
            if (!ClassUtils.isPresent(className, classLoader)) {
                throw new InvalidLockConfigurationException(GrpcLockServerProperties.PREFIX + ".enabled",
                        "The gRPC Lock API is enabled, but " + problem, action);
            }
        }
    }

    /**
     * {@code host:port} as Spring gRPC's server factories parse it: IPv6 literals in brackets, {@code *} for every
     * interface.
     */
    static String serverAddress(String host, int port) {
        String property = GrpcLockServerProperties.PREFIX;
        if (port < 0 || port > 65535) {
            throw new InvalidLockConfigurationException(property + ".port", "'" + port + "' is not a TCP port.",
                    "Set it between 1 and 65535 (0 picks a free port); Layotto clients expect "
                            + GrpcLockServerProperties.DEFAULT_PORT + ".");
        }
        if (host == null || host.isBlank()) {
            throw new InvalidLockConfigurationException(property + ".address", "The bind address is blank.",
                    "Set it to 127.0.0.1 (this host only), or '*' for every interface.");
        }
        String trimmed = host.trim();
        if (trimmed.contains(":") && !trimmed.startsWith("[")) {
            trimmed = "[" + trimmed + "]";
        }
        return trimmed + ":" + port;
    }
}
