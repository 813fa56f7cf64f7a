package io.github.distlock.store.zookeeper;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * How a lock is written in ZooKeeper: the name of its node, made from the key, and the node's data, the lease and the
 * owner ({@code "<leaseMillis>\n<owner>"}). Stateless.
 *
 * <p>A name is one path segment that ZooKeeper accepts, distinct for distinct keys. The key's UTF-8 bytes are
 * percent-encoded, keeping only {@code A-Z a-z 0-9 - _ .} as they are, so the name holds no {@code /}, no control or
 * surrogate characters (which ZooKeeper refuses) and no {@code %} that did not come from the encoding: the encoding is
 * injective. The two names ZooKeeper reserves, {@code .} and {@code ..}, get their dots encoded. A name longer than
 * {@link #MAX_LENGTH} (a 900-character key, say) becomes a readable prefix, {@code ~} and the SHA-256 of the key:
 * {@code ~} never appears in an encoded name, so hashed names cannot meet unhashed ones, and two hashed names meet only
 * if SHA-256 collides.
 */
final class LockNodeCodec {

    /** Longest node name; ZooKeeper has no hard limit, but paths travel in every request and log line. */
    static final int MAX_LENGTH = 160;
    private static final int HASHED_PREFIX_LENGTH = MAX_LENGTH - 1 - 64;
    private static final char[] HEX = "0123456789ABCDEF".toCharArray();

    private LockNodeCodec() {
    }

    /** What a lock node holds. */
    record LockNode(long leaseMillis, String owner) {
    }

    static String nodeName(String key) {
        byte[] bytes = key.getBytes(StandardCharsets.UTF_8);
        StringBuilder name = new StringBuilder(bytes.length + 16);
        for (byte b : bytes) {
            int c = b & 0xff;
            if (unreserved(c)) {
                name.append((char) c);
            } else {
                name.append('%').append(HEX[c >> 4]).append(HEX[c & 0xf]);
            }
        }
        if (name.length() <= 2 && name.chars().allMatch(c -> c == '.')) {
            return name.toString().replace(".", "%2E");
        }
        if (name.length() <= MAX_LENGTH) {
            return name.toString();
        }
        int cut = HASHED_PREFIX_LENGTH;
        // Do not split an escape: the prefix is only for people reading the tree.
        if (name.charAt(cut - 1) == '%') {
            cut -= 1;
        } else if (name.charAt(cut - 2) == '%') {
            cut -= 2;
        }
        return name.substring(0, cut) + '~' + sha256(bytes);
    }

    static byte[] nodeData(long leaseMillis, String owner) {
        return (leaseMillis + "\n" + owner).getBytes(StandardCharsets.UTF_8);
    }

    /** The lock a node's data describes; null when {@code data} is not a lock node's. */
    static LockNode parse(byte[] data) {
        if (data == null) {
            return null;
        }
        String text = new String(data, StandardCharsets.UTF_8);
        int newline = text.indexOf('\n');
        if (newline <= 0) {
            return null;
        }
        try {
            return new LockNode(Long.parseLong(text.substring(0, newline)), text.substring(newline + 1));
        } catch (NumberFormatException e) {
            return null;
        }
    }

    private static boolean unreserved(int c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_'
                || c == '.';
    }

    private static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }
}
