package io.github.distlock.store.layotto;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;

import io.grpc.InsecureServerCredentials;
import io.grpc.Server;
import io.grpc.ServerServiceDefinition;
import io.grpc.netty.NettyServerBuilder;

/** A plain gRPC server on a loopback port serving the given services only; with none, every call is UNIMPLEMENTED. */
final class BareGrpcServer implements AutoCloseable {

    private final Server server;

    private BareGrpcServer(Server server) {
        this.server = server;
    }

    /** Starts on {@code port} (0: a free one). */
    static BareGrpcServer start(int port, ServerServiceDefinition... services) throws IOException {
        NettyServerBuilder builder = NettyServerBuilder.forAddress(
                new InetSocketAddress(InetAddress.getLoopbackAddress(), port), InsecureServerCredentials.create());
        for (ServerServiceDefinition service : services) {
            builder.addService(service);
        }
        return new BareGrpcServer(builder.build().start());
    }

    int port() {
        return server.getPort();
    }

    @Override
    public void close() throws InterruptedException {
        server.shutdownNow();
        server.awaitTermination(10, TimeUnit.SECONDS);
    }
}
