package io.github.distlock.benchmarks;

import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import io.github.distlock.core.DistributedLockClient;
import io.github.distlock.api.LockStatus;
import io.github.distlock.autoconfigure.DistributedLockAutoConfiguration;
import io.github.distlock.store.inmemory.InMemoryLockStoreAutoConfiguration;
import io.github.distlock.grpc.GrpcLockServer;
import io.github.distlock.grpc.GrpcLockServerAutoConfiguration;
import io.github.distlock.grpc.proto.RuntimeGrpc;
import io.github.distlock.grpc.proto.TryLockRequest;
import io.github.distlock.grpc.proto.UnlockRequest;
import io.github.distlock.grpc.proto.UnlockResponse;
import io.grpc.CallOptions;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.ClientCalls;
import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.ImportAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Configuration;

/**
 * TryLock + Unlock cycles per second over the gRPC Lock API on loopback, against the in-memory store, with the same
 * cycle through {@link DistributedLockClient} in the same JVM as the reference: the difference is what gRPC costs
 * (protobuf, HTTP/2 over loopback, thread hand-offs). All client threads share one channel, as a sidecar's clients
 * would; each thread cycles its own resource, so nothing waits on a lock.
 *
 * <p>{@code cycleVsBarePair_1} and {@code _16} measure what the server adds to its transport: each invocation
 * times one TryLock + Unlock cycle and one pair of bare unary RPCs (a method the server does not implement, answered
 * {@code UNIMPLEMENTED} at once) alternately, on the same channel and server, so a busy machine slows both alike.
 * Their secondary results {@code cycleNanos / barePairNanos} is the cost of a cycle in bare pairs.
 *
 * <pre>
 * java -jar benchmarks/target/benchmarks.jar GrpcLockApi.cycleVsBarePair
 * java -jar benchmarks/target/benchmarks.jar 'GrpcLockApi.(grpc|client)TryLockUnlock' -t 1
 * java -jar benchmarks/target/benchmarks.jar 'GrpcLockApi.(grpc|client)TryLockUnlock' -t 16
 * </pre>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
// gRPC's path (Netty, protobuf, executor threads) needs longer than the direct call to reach steady state.
@Warmup(iterations = 6, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = "-Xmx1g")
public class GrpcLockApiBenchmark {

    /** A method of Layotto's Runtime service that this server does not implement: the bare RPC. */
    private static final MethodDescriptor<TryLockRequest, io.github.distlock.grpc.proto.TryLockResponse> BARE =
            RuntimeGrpc.getTryLockMethod().toBuilder()
                    .setFullMethodName(MethodDescriptor.generateFullMethodName(RuntimeGrpc.SERVICE_NAME, "SayHello"))
                    .build();

    private ConfigurableApplicationContext context;
    private DistributedLockClient client;
    private ManagedChannel channel;
    private RuntimeGrpc.RuntimeBlockingStub stub;

    @Setup(Level.Trial)
    public void start() {
        context = new SpringApplicationBuilder(Sidecar.class)
                .web(WebApplicationType.NONE)
                .properties("spring.main.banner-mode=off", "logging.level.root=warn",
                        "spring.application.name=bench", "distributed-lock.stores.mem.type=in-memory",
                        "distributed-lock.grpc.enabled=true", "distributed-lock.grpc.port=0")
                .run();
        client = context.getBean(DistributedLockClient.class);
        channel = Grpc.newChannelBuilderForAddress("127.0.0.1", context.getBean(GrpcLockServer.class).getPort(),
                InsecureChannelCredentials.create()).build();
        stub = RuntimeGrpc.newBlockingStub(channel);
    }

    @TearDown(Level.Trial)
    public void stop() throws InterruptedException {
        channel.shutdownNow();
        channel.awaitTermination(10, TimeUnit.SECONDS);
        context.close();
    }

    /** Each benchmark thread's own resource and owner, as gRPC requests and as Java requests. */
    @State(Scope.Thread)
    public static class Cycle {

        private static final AtomicInteger THREADS = new AtomicInteger();

        TryLockRequest grpcTryLock;
        UnlockRequest grpcUnlock;
        io.github.distlock.api.TryLockRequest tryLock;
        io.github.distlock.api.UnlockRequest unlock;

        @Setup(Level.Trial)
        public void prepare() {
            String resource = "bench-resource-" + THREADS.incrementAndGet();
            String owner = UUID.randomUUID().toString();
            grpcTryLock = TryLockRequest.newBuilder().setStoreName("mem").setResourceId(resource).setLockOwner(owner)
                    .setExpire(30).build();
            grpcUnlock = UnlockRequest.newBuilder().setStoreName("mem").setResourceId(resource).setLockOwner(owner)
                    .build();
            tryLock = new io.github.distlock.api.TryLockRequest("mem", resource, owner, 30);
            unlock = new io.github.distlock.api.UnlockRequest("mem", resource, owner);
        }
    }

    @Benchmark
    public boolean grpcTryLockUnlock(Cycle cycle) {
        boolean acquired = stub.tryLock(cycle.grpcTryLock).getSuccess();
        UnlockResponse.Status status = stub.unlock(cycle.grpcUnlock).getStatus();
        return requireCycle(acquired, status == UnlockResponse.Status.SUCCESS);
    }

    @Benchmark
    public boolean clientTryLockUnlock(Cycle cycle) {
        boolean acquired = client.tryLock(cycle.tryLock).success();
        LockStatus status = client.unlock(cycle.unlock).status();
        return requireCycle(acquired, status == LockStatus.SUCCESS);
    }

    @Benchmark
    @Threads(1)
    public void cycleVsBarePair_1(Cycle cycle, CycleVsBarePairTimes times) {
        cycleVsBarePair(cycle, times);
    }

    @Benchmark
    @Threads(16)
    public void cycleVsBarePair_16(Cycle cycle, CycleVsBarePairTimes times) {
        cycleVsBarePair(cycle, times);
    }

    private void cycleVsBarePair(Cycle cycle, CycleVsBarePairTimes times) {
        // Alternate which goes first, so that neither always follows the other.
        boolean cycleFirst = (times.invocations++ & 1) == 0;
        long start = System.nanoTime();
        if (cycleFirst) {
            grpcTryLockUnlock(cycle);
        } else {
            bare(cycle);
            bare(cycle);
        }
        long middle = System.nanoTime();
        if (cycleFirst) {
            bare(cycle);
            bare(cycle);
        } else {
            grpcTryLockUnlock(cycle);
        }
        long end = System.nanoTime();
        times.cycleNanos += cycleFirst ? middle - start : end - middle;
        times.barePairNanos += cycleFirst ? end - middle : middle - start;
    }

    /** One bare unary RPC: answered UNIMPLEMENTED by the server without any work of ours. */
    private void bare(Cycle cycle) {
        try {
            ClientCalls.blockingUnaryCall(channel, BARE, CallOptions.DEFAULT, cycle.grpcTryLock);
        } catch (StatusRuntimeException e) {
            if (e.getStatus().getCode() == Status.Code.UNIMPLEMENTED) {
                return;
            }
            throw e;
        }
        throw new IllegalStateException("the bare RPC was answered: the server implements " + BARE);
    }

    /** Total nanoseconds spent in cycles and in bare pairs by {@link #cycleVsBarePair}, per iteration. */
    @State(Scope.Thread)
    @AuxCounters(AuxCounters.Type.EVENTS)
    public static class CycleVsBarePairTimes {
        public long cycleNanos;
        public long barePairNanos;
        int invocations;

        @Setup(Level.Iteration)
        public void reset() {
            cycleNanos = 0;
            barePairNanos = 0;
        }
    }

    /** A cycle that did not lock and unlock would measure something else: stop the run. */
    private static boolean requireCycle(boolean acquired, boolean released) {
        if (!acquired || !released) {
            throw new IllegalStateException("cycle failed: acquired=" + acquired + ", released=" + released);
        }
        return true;
    }

    @Configuration(proxyBeanMethods = false)
    @ImportAutoConfiguration({DistributedLockAutoConfiguration.class, InMemoryLockStoreAutoConfiguration.class, GrpcLockServerAutoConfiguration.class})
    public static class Sidecar {
    }
}
