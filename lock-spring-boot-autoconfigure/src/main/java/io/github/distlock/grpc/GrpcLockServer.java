package io.github.distlock.grpc;

import java.time.Duration;
import java.util.List;

import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.TrustManagerFactory;

import io.grpc.BindableService;
import io.grpc.TlsServerCredentials;
import io.grpc.netty.NettyServerBuilder;

import org.springframework.context.SmartLifecycle;
import org.springframework.grpc.server.NettyGrpcServerFactory;
import org.springframework.grpc.server.ServerBuilderCustomizer;
import org.springframework.grpc.server.lifecycle.GrpcServerLifecycle;

/**
 * The gRPC server of the Lock API: its own port ({@code distributed-lock.grpc.port}, Layotto's 34904 by default),
 * bound to {@code distributed-lock.grpc.address}, built with Spring gRPC's Netty server factory and lifecycle.
 *
 * <p>Kept apart from the application's own Spring gRPC server (if any), whose port, TLS and interceptors are the
 * application's business: neither the factory nor the service is a bean Spring gRPC would discover, and the
 * server's lifecycle events are not published, so listeners that track the application's gRPC port are not misled.
 *
 * <p>Requests run on Netty's event loop threads up to the service, which decides where each is served (its class
 * comment says how); nothing else on that path blocks.
 */
public class GrpcLockServer implements SmartLifecycle {

    private final GrpcServerLifecycle lifecycle;
    private final String address;
    private final GrpcLockService service;

    /**
     * @param service                the Lock API
     * @param address                {@code host:port}, as Spring gRPC's server factories take it
     * @param maxInboundMessageBytes larger requests are refused before parsing
     * @param shutdownGracePeriod    how long stopping waits for requests in progress
     * @param keyManager             the server's key and certificate; {@code null} serves plaintext
     * @param trustManager           checks client certificates; {@code null} unless {@code clientAuth} asks for them
     * @param clientAuth             client certificate policy with TLS; {@code null} without
     * @param reflection             the reflection service to serve alongside, or {@code null}
     */
    public GrpcLockServer(GrpcLockService service, String address, int maxInboundMessageBytes,
            Duration shutdownGracePeriod, KeyManagerFactory keyManager, TrustManagerFactory trustManager,
            TlsServerCredentials.ClientAuth clientAuth, BindableService reflection) {
        this.address = address;
        this.service = service;
        // Requests are delivered on the event loop, without gRPC's own hand-off to an unbounded thread pool: the
        // service serves non-blocking stores there and hands the others to its bounded workers (see GrpcLockService).
        List<ServerBuilderCustomizer<NettyServerBuilder>> customizers =
                List.of(builder -> builder.maxInboundMessageSize(maxInboundMessageBytes).directExecutor());
        NettyGrpcServerFactory factory = new NettyGrpcServerFactory(address, customizers, keyManager,
                trustManager, clientAuth);
        factory.addService(GrpcLockServiceDefinition.of(service));
        if (reflection != null) {
            factory.addService(reflection.bindService());
        }
        this.lifecycle = new GrpcServerLifecycle(factory, shutdownGracePeriod, event -> {
        });
    }

    /** The port the server listens on (the actual one when configured as 0), or 0 when it is not running. */
    public int getPort() {
        return lifecycle.getPort();
    }

    /** The configured {@code host:port}. */
    public String getAddress() {
        return address;
    }

    @Override
    public void start() {
        service.acceptWaits();
        lifecycle.start();
    }

    /** Ends the TryLocks that wait first: they would hold the shutdown up for its whole grace period. */
    @Override
    public void stop() {
        service.endWaits();
        lifecycle.stop();
    }

    @Override
    public boolean isRunning() {
        return lifecycle.isRunning();
    }

    @Override
    public int getPhase() {
        // Last to start and first to stop, like Spring gRPC's own server: the stores are ready before the first
        // request and still there for the requests in progress at shutdown.
        return lifecycle.getPhase();
    }
}
