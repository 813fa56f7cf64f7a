package io.github.distlock.store.jdbc;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;

/**
 * How a lock key or owner is stored: binary, so that every character fits and equality is exact on every database
 * (MySQL's and MariaDB's text collations ignore case and trailing spaces; PostgreSQL text cannot hold NUL). A
 * value of at most {@value #VERBATIM_MAX} bytes in UTF-8 is stored as those bytes; a longer one as its first
 * {@value #VERBATIM_MAX} bytes followed by the 32 bytes of its SHA-256, {@value #COLUMN_LENGTH} bytes in all. Only
 * long values have that length, so two values share a column value only if SHA-256 collides.
 */
final class ColumnBytes {

    /** Length of the key and owner columns ({@code VARBINARY(255)}). */
    static final int COLUMN_LENGTH = 255;
    static final int VERBATIM_MAX = COLUMN_LENGTH - 32;

    private ColumnBytes() {
    }

    static byte[] of(String value) {
        byte[] utf8 = value.getBytes(StandardCharsets.UTF_8);
        if (utf8.length <= VERBATIM_MAX) {
            return utf8;
        }
        byte[] stored = Arrays.copyOf(utf8, COLUMN_LENGTH);
        System.arraycopy(sha256(utf8), 0, stored, VERBATIM_MAX, 32);
        return stored;
    }

    private static byte[] sha256(byte[] bytes) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(bytes);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }
}
