package io.github.distlock.grpc;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

import com.google.common.util.concurrent.FutureCallback;
import com.google.common.util.concurrent.Futures;
import com.google.common.util.concurrent.MoreExecutors;
import com.google.protobuf.InvalidProtocolBufferException;
import io.github.distlock.grpc.proto.LockKeepAliveRequest;
import io.github.distlock.grpc.proto.LockKeepAliveResponse;
import io.github.distlock.grpc.proto.RuntimeGrpc;
import io.github.distlock.grpc.proto.TryLockRequest;
import io.github.distlock.grpc.proto.TryLockResponse;
import io.github.distlock.grpc.proto.UnlockRequest;
import io.github.distlock.grpc.proto.UnlockResponse;
import io.grpc.CallOptions;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import io.grpc.stub.ClientCalls;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;

import static io.github.distlock.grpc.LockApiChannel.assertStatus;
import static io.github.distlock.grpc.LockApiChannel.tryLock;
import static io.github.distlock.grpc.LockApiChannel.unlock;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * 10,000 random or malformed requests: random field values (blank, huge, any Unicode, extreme ints), invalid UTF-8
 * in string fields, truncated and wrongly typed fields, random bytes, oversized messages. They are sent as raw bytes
 * through hand-built method descriptors, so nothing on the client side cleans them up. The expected answer of each
 * is predicted from what the server can parse of it; afterwards the server still answers correctly.
 *
 * <p>Reproduce a failure with {@code -Dhostile.seed=<seed from the message>}.
 */
@SpringBootTest(classes = GrpcLockTestApplication.class, properties = {
        "spring.application.name=grpc-test",
        "distributed-lock.stores.mem.type=in-memory",
        "distributed-lock.default-store=mem",
        "distributed-lock.grpc.enabled=true",
        "distributed-lock.grpc.port=0"})
class GrpcHostileInputTest {

    private static final int REQUESTS = 10_000;
    private static final int IN_FLIGHT = 32;
    private static final long TIME_LIMIT_SECONDS = 180;
    /** distributed-lock.grpc.max-inbound-message-size, default 64KB. */
    private static final int MAX_MESSAGE_BYTES = 64 * 1024;

    private static final MethodDescriptor<byte[], byte[]> TRY_LOCK = RawBytes.method(RuntimeGrpc.SERVICE_NAME, "TryLock");
    private static final MethodDescriptor<byte[], byte[]> UNLOCK = RawBytes.method(RuntimeGrpc.SERVICE_NAME, "Unlock");
    private static final MethodDescriptor<byte[], byte[]> KEEP_ALIVE =
            RawBytes.method(RuntimeGrpc.SERVICE_NAME, "LockKeepAlive");

    @Autowired
    GrpcLockServer server;

    record HostileCall(MethodDescriptor<byte[], byte[]> method, byte[] body, String kind) {
    }

    @Test
    void tenThousandRandomOrMalformedRequestsAreEachAnsweredAsPredictedAndTheServerKeepsWorking() throws Exception {
        long seed = Long.getLong("hostile.seed", new Random().nextLong());
        Random random = new Random(seed);
        List<String> mismatches = new ArrayList<>();
        Map<Status.Code, Integer> codes = new EnumMap<>(Status.Code.class);
        Semaphore inFlight = new Semaphore(IN_FLIGHT);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(TIME_LIMIT_SECONDS);

        try (LockApiChannel client = new LockApiChannel(server.getPort())) {
            List<CompletableFuture<Void>> answers = new ArrayList<>(REQUESTS);
            for (int i = 0; i < REQUESTS; i++) {
                HostileCall call = hostileCall(random);
                Set<Status.Code> expected = predict(call);
                if (!inFlight.tryAcquire(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS)) {
                    throw new AssertionError("time limit reached after " + i + " requests (seed " + seed + ")");
                }
                CompletableFuture<Void> answered = new CompletableFuture<>();
                answers.add(answered);
                var future = ClientCalls.futureUnaryCall(client.channel.newCall(call.method(),
                        CallOptions.DEFAULT.withDeadlineAfter(30, TimeUnit.SECONDS)), call.body());
                Futures.addCallback(future, new FutureCallback<>() {
                    @Override
                    public void onSuccess(byte[] response) {
                        check(call, expected, Status.Code.OK, checkResponse(call.method(), response));
                    }

                    @Override
                    public void onFailure(Throwable t) {
                        check(call, expected, Status.fromThrowable(t).getCode(), Status.fromThrowable(t).toString());
                    }

                    private void check(HostileCall call, Set<Status.Code> expected, Status.Code actual, String detail) {
                        synchronized (mismatches) {
                            codes.merge(actual, 1, Integer::sum);
                            boolean wrongResponse = actual == Status.Code.OK && !detail.isEmpty();
                            if (!expected.contains(actual) || wrongResponse) {
                                mismatches.add(call.kind() + " " + call.method().getBareMethodName() + " ("
                                        + call.body().length + " bytes): expected " + expected + ", got " + actual
                                        + ": " + detail);
                            }
                        }
                        inFlight.release();
                        answered.complete(null);
                    }
                }, MoreExecutors.directExecutor());
            }
            CompletableFuture.allOf(answers.toArray(CompletableFuture[]::new))
                    .get(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            assertThat(mismatches).as("answers not as predicted (seed " + seed + ")").isEmpty();
            assertThat(codes).as("every kind of answer was exercised (seed " + seed + ")").containsKeys(
                    Status.Code.OK, Status.Code.INVALID_ARGUMENT, Status.Code.RESOURCE_EXHAUSTED);
            assertThat(codes.values().stream().mapToInt(Integer::intValue).sum()).isEqualTo(REQUESTS);

            // Still serving, and correctly.
            assertThat(server.isRunning()).isTrue();
            String resource = "after-hostile-" + UUID.randomUUID();
            assertThat(client.stub().tryLock(tryLock("mem", resource, "alice", 30)).getSuccess()).isTrue();
            assertThat(client.stub().tryLock(tryLock("mem", resource, "bob", 30)).getSuccess()).isFalse();
            assertThat(client.stub().unlock(unlock("mem", resource, "alice")).getStatus())
                    .isEqualTo(UnlockResponse.Status.SUCCESS);
            assertStatus(Status.Code.INVALID_ARGUMENT, "resource_id",
                    () -> client.stub().tryLock(tryLock("mem", "", "alice", 30)));
        }
    }

    /** Empty string means the call answered well; otherwise what is wrong with the response. */
    private static String checkResponse(MethodDescriptor<byte[], byte[]> method, byte[] response) {
        try {
            if (method == TRY_LOCK) {
                TryLockResponse.parseFrom(response);
            } else if (method == UNLOCK) {
                UnlockResponse.Status status = UnlockResponse.parseFrom(response).getStatus();
                if (status == UnlockResponse.Status.UNRECOGNIZED || status == UnlockResponse.Status.INTERNAL_ERROR) {
                    return "unexpected status " + status;
                }
            } else {
                LockKeepAliveResponse.Status status = LockKeepAliveResponse.parseFrom(response).getStatus();
                if (status == LockKeepAliveResponse.Status.UNRECOGNIZED
                        || status == LockKeepAliveResponse.Status.INTERNAL_ERROR) {
                    return "unexpected status " + status;
                }
            }
            return "";
        } catch (InvalidProtocolBufferException e) {
            return "unparseable response: " + e.getMessage();
        }
    }

    /**
     * What the server must answer: RESOURCE_EXHAUSTED above the size limit; INVALID_ARGUMENT when the bytes are not
     * a valid message; otherwise as the Lock API validates the parsed fields.
     */
    static Set<Status.Code> predict(HostileCall call) {
        if (call.body().length > MAX_MESSAGE_BYTES) {
            return Set.of(Status.Code.RESOURCE_EXHAUSTED);
        }
        String store;
        String resource;
        String owner;
        Integer expire;
        try {
            if (call.method() == TRY_LOCK) {
                TryLockRequest r = TryLockRequest.parseFrom(call.body());
                store = r.getStoreName();
                resource = r.getResourceId();
                owner = r.getLockOwner();
                expire = r.getExpire();
            } else if (call.method() == UNLOCK) {
                UnlockRequest r = UnlockRequest.parseFrom(call.body());
                store = r.getStoreName();
                resource = r.getResourceId();
                owner = r.getLockOwner();
                expire = null;
            } else {
                LockKeepAliveRequest r = LockKeepAliveRequest.parseFrom(call.body());
                store = r.getStoreName();
                resource = r.getResourceId();
                owner = r.getLockOwner();
                expire = r.getExpire();
            }
        } catch (InvalidProtocolBufferException e) {
            return Set.of(Status.Code.INVALID_ARGUMENT);
        }
        // A blank store name means the default store; names are stripped (README, "The Lock API in Java").
        boolean knownStore = store.isBlank() || store.strip().equals("mem");
        if (!knownStore || resource.isBlank() || owner.isBlank() || (expire != null && expire <= 0)) {
            return Set.of(Status.Code.INVALID_ARGUMENT);
        }
        return Set.of(Status.Code.OK);
    }

    private static HostileCall hostileCall(Random random) {
        MethodDescriptor<byte[], byte[]> method = switch (random.nextInt(3)) {
            case 0 -> TRY_LOCK;
            case 1 -> UNLOCK;
            default -> KEEP_ALIVE;
        };
        int kind = random.nextInt(100);
        if (kind < 40) {
            return new HostileCall(method, wellFormed(method, random), "random fields");
        }
        if (kind < 55) {
            return new HostileCall(method, mutate(wellFormed(method, random), random), "mutated bytes");
        }
        if (kind < 72) {
            return new HostileCall(method, invalidUtf8(random), "invalid UTF-8");
        }
        if (kind < 82) {
            byte[] garbage = new byte[random.nextInt(200)];
            random.nextBytes(garbage);
            return new HostileCall(method, garbage, "random bytes");
        }
        if (kind < 92) {
            return new HostileCall(method, extremeVarint(random), "extreme varint");
        }
        return new HostileCall(method, wrongWireType(random), "wrong wire type");
    }

    private static byte[] wellFormed(MethodDescriptor<byte[], byte[]> method, Random random) {
        String store = switch (random.nextInt(20)) {
            case 0, 1, 2, 3, 4, 5, 6, 7 -> "";
            case 8, 9, 10, 11, 12, 13, 14, 15, 16, 17 -> "mem";
            case 18 -> "nosuch";
            default -> randomString(random);
        };
        String resource = randomString(random);
        String owner = randomString(random);
        int expire = extremeInt(random);
        if (method == TRY_LOCK) {
            return TryLockRequest.newBuilder().setStoreName(store).setResourceId(resource).setLockOwner(owner)
                    .setExpire(expire).build().toByteArray();
        }
        if (method == UNLOCK) {
            return UnlockRequest.newBuilder().setStoreName(store).setResourceId(resource).setLockOwner(owner).build()
                    .toByteArray();
        }
        return LockKeepAliveRequest.newBuilder().setStoreName(store).setResourceId(resource).setLockOwner(owner)
                .setExpire(expire).build().toByteArray();
    }

    private static String randomString(Random random) {
        return switch (random.nextInt(12)) {
            case 0 -> "";
            case 1 -> " \t\n\u2003";
            case 2 -> "order-" + random.nextInt(1_000);
            case 3 -> "x".repeat(1_000 + random.nextInt(20_000));
            case 4 -> "y".repeat(MAX_MESSAGE_BYTES + random.nextInt(100_000));
            case 5 -> "\u0000";
            case 6 -> "\uD800 lone surrogate";
            default -> {
                StringBuilder s = new StringBuilder();
                int length = 1 + random.nextInt(64);
                for (int i = 0; i < length; i++) {
                    int codePoint = random.nextInt(Character.MAX_CODE_POINT + 1);
                    if (Character.isValidCodePoint(codePoint)
                            && !(codePoint >= Character.MIN_SURROGATE && codePoint <= Character.MAX_SURROGATE)) {
                        s.appendCodePoint(codePoint);
                    }
                }
                yield s.toString();
            }
        };
    }

    private static int extremeInt(Random random) {
        return switch (random.nextInt(8)) {
            case 0 -> Integer.MIN_VALUE;
            case 1 -> Integer.MAX_VALUE;
            case 2 -> 0;
            case 3 -> -1;
            case 4 -> 1;
            default -> random.nextInt();
        };
    }

    private static byte[] mutate(byte[] bytes, Random random) {
        if (bytes.length == 0) {
            return new byte[] {(byte) random.nextInt(256)};
        }
        byte[] mutated = bytes.clone();
        switch (random.nextInt(3)) {
            case 0 -> {
                for (int i = 0; i < 1 + random.nextInt(4); i++) {
                    mutated[random.nextInt(mutated.length)] = (byte) random.nextInt(256);
                }
            }
            case 1 -> mutated = Arrays.copyOf(bytes, random.nextInt(bytes.length));
            default -> {
                mutated = Arrays.copyOf(bytes, bytes.length + 1 + random.nextInt(16));
                for (int i = bytes.length; i < mutated.length; i++) {
                    mutated[i] = (byte) random.nextInt(256);
                }
            }
        }
        return mutated;
    }

    /** Valid fields, except one string field whose bytes are not UTF-8. */
    private static byte[] invalidUtf8(Random random) {
        byte[][] invalid = {
                {(byte) 0xFF},
                {(byte) 0xC0, (byte) 0x80},                 // overlong NUL
                {(byte) 0x80},                              // lone continuation byte
                {(byte) 0xE2, (byte) 0x82},                 // truncated 3-byte sequence
                {(byte) 0xED, (byte) 0xA0, (byte) 0x80},    // encoded surrogate
                {(byte) 0xF4, (byte) 0x90, (byte) 0x80, (byte) 0x80}, // above U+10FFFF
                {'o', 'k', (byte) 0xFE, 'x'}};
        int badField = 1 + random.nextInt(3);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (int field = 1; field <= 3; field++) {
            byte[] value = field == badField ? invalid[random.nextInt(invalid.length)]
                    : (field == 1 ? "mem" : "valid-" + field).getBytes(StandardCharsets.UTF_8);
            out.write(field << 3 | 2);
            out.write(value.length);
            out.write(value, 0, value.length);
        }
        out.write(4 << 3);
        out.write(30);
        return out.toByteArray();
    }

    /** Field 4 (expire) as varints of every length, including too long ones (more than 10 bytes). */
    private static byte[] extremeVarint(Random random) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(2 << 3 | 2);
        out.write(1);
        out.write('r');
        out.write(3 << 3 | 2);
        out.write(1);
        out.write('o');
        out.write(4 << 3);
        int length = 1 + random.nextInt(12);
        for (int i = 0; i < length - 1; i++) {
            out.write(0x80 | random.nextInt(128));
        }
        out.write(random.nextInt(128));
        return out.toByteArray();
    }

    /** Known field numbers with the wrong wire type, unknown fields, groups and field number 0. */
    private static byte[] wrongWireType(Random random) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int fields = 1 + random.nextInt(6);
        for (int i = 0; i < fields; i++) {
            int field = random.nextInt(8);
            int wireType = random.nextInt(8);
            out.write(field << 3 | wireType);
            int payload = random.nextInt(10);
            for (int b = 0; b < payload; b++) {
                out.write(random.nextInt(256));
            }
        }
        return out.toByteArray();
    }
}
