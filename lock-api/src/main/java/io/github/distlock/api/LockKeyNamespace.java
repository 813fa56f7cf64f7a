package io.github.distlock.api;

/**
 * Turns a resource id into the key a store holds, so that applications with different names never share a lock
 * by accident (the seed's FAQ: the same owner or resource under two app ids must not collide).
 *
 * <p>The stored key is {@code <prefix>:<resourceId>} where {@code ':'} and {@code '%'} inside the prefix are
 * percent-encoded. The prefix therefore never contains a raw {@code ':'}, and the first {@code ':'} of a key
 * always ends it: prefix {@code "a:b"} with resource {@code "c"} ({@code a%3Ab:c}) and prefix {@code "a"} with
 * resource {@code "b:c"} ({@code a:b:c}) stay apart. Without a prefix the key is the resource id itself, which
 * lets several applications share locks on purpose.
 */
public final class LockKeyNamespace {

    private static final LockKeyNamespace NONE = new LockKeyNamespace(null);

    private final String encodedPrefixWithSeparator;

    private LockKeyNamespace(String encodedPrefixWithSeparator) {
        this.encodedPrefixWithSeparator = encodedPrefixWithSeparator;
    }

    /** No prefix: the key is the resource id. */
    public static LockKeyNamespace none() {
        return NONE;
    }

    /** A namespace for {@code prefix}; {@code null}, blank or {@code "none"} means no prefix. */
    public static LockKeyNamespace of(String prefix) {
        if (prefix == null || prefix.isBlank() || prefix.strip().equalsIgnoreCase("none")) {
            return NONE;
        }
        return new LockKeyNamespace(prefix.replace("%", "%25").replace(":", "%3A") + ':');
    }

    /** The key stored for {@code resourceId}. */
    public String keyFor(String resourceId) {
        return encodedPrefixWithSeparator == null ? resourceId : encodedPrefixWithSeparator.concat(resourceId);
    }

    @Override
    public String toString() {
        return encodedPrefixWithSeparator == null ? "(no prefix)" : encodedPrefixWithSeparator;
    }
}
