package io.github.distlock.api;

/**
 * Request values quoted in error messages, cut to a readable length: a caller may send a resource id or store name
 * of megabytes, and the message ends up in logs and in gRPC status trailers (which clients cap at a few KiB).
 */
public final class QuotedValue {

    public static final int MAX_CHARS = 200;

    private QuotedValue() {
    }

    /** {@code 'value'}, or its first {@value #MAX_CHARS} characters and the full length when longer. */
    public static String of(String value) {
        if (value == null) {
            return "null";
        }
        if (value.length() <= MAX_CHARS) {
            return "'" + value + "'";
        }
        return "'" + value.substring(0, MAX_CHARS) + "...' (" + value.length() + " chars)";
    }
}
