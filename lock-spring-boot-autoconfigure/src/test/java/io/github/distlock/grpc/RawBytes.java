package io.github.distlock.grpc;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;

import io.grpc.MethodDescriptor;

/**
 * Calls a method with hand-made request bytes, bypassing the generated classes: the way to send what a well-behaved
 * client never would (invalid UTF-8 in a string field, truncated or wrongly typed fields).
 */
final class RawBytes implements MethodDescriptor.Marshaller<byte[]> {

    static final RawBytes MARSHALLER = new RawBytes();

    private RawBytes() {
    }

    /** A unary method {@code /service/method} taking and returning raw bytes. */
    static MethodDescriptor<byte[], byte[]> method(String service, String method) {
        return MethodDescriptor.<byte[], byte[]>newBuilder()
                .setType(MethodDescriptor.MethodType.UNARY)
                .setFullMethodName(MethodDescriptor.generateFullMethodName(service, method))
                .setRequestMarshaller(MARSHALLER)
                .setResponseMarshaller(MARSHALLER)
                .build();
    }

    @Override
    public InputStream stream(byte[] value) {
        return new ByteArrayInputStream(value);
    }

    @Override
    public byte[] parse(InputStream stream) {
        try {
            return stream.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
