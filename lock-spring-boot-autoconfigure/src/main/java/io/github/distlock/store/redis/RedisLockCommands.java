package io.github.distlock.store.redis;

import java.util.concurrent.CompletableFuture;

/**
 * The few Redis commands the lock store needs, on raw bytes, behind one interface so that the store runs on the
 * fastest path its connection factory allows (see {@link LettuceSharedConnectionCommands}) and on any other
 * Spring Data Redis client otherwise (see {@link RedisConnectionCommands}).
 *
 * <p>Every method is a single-key command (or a script on one key), so it is routed to the key's node on a
 * Redis Cluster. Failures are thrown as unchecked exceptions; a method never answers "no" for a failure.
 */
interface RedisLockCommands {

    /** Runs {@code script} on {@code key} by its SHA, loading it when the server does not know it yet. */
    long evalOnKey(RedisLockScript script, byte[] key, byte[]... args);

    /**
     * {@link RedisLockScript#LEASE_LEFT} on {@code key}, without blocking the caller: the milliseconds left on its
     * lease, {@code -2} when nobody holds it, {@code -1} when it has no expiry; a held key is marked with
     * {@code mark}. Completes exceptionally on a failure or after the command timeout.
     */
    CompletableFuture<Long> leaseLeft(byte[] key, byte[] mark);

    /** {@code PING}: the server's reply. */
    String ping();
}
