package io.github.distlock.store.redis;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/** A Lua script with its SHA-1, so that it is sent by digest ({@code EVALSHA}) and its body only when needed. */
final class RedisLockScript {

    /** Where Unlock announces a release: the message is the key. */
    static final String RELEASE_CHANNEL = "distlock:released";

    /**
     * What Unlock does once it has found {@code ARGV[1]} holding the key: removes the owner, its store instance and
     * the contender mark, and leaves the key as a tombstone holding the last token for {@code ARGV[2]} milliseconds
     * (0: the key goes at once).
     */
    private static final String RELEASE = """
            redis.call('HDEL', KEYS[1], 'o', 'i', 'w')
            redis.call('PEXPIRE', KEYS[1], ARGV[2])
            """;

    /**
     * Publishes the released key on {@link #RELEASE_CHANNEL}, through {@code pcall}: a user the ACL does not allow it
     * still unlocks (a script is not rolled back, so a failing publish would report an error for a lock already
     * released); waiters that do not hear it wake at their timed reads (a store that cannot subscribe either) or at
     * the lease end.
     */
    private static final String ANNOUNCE = """
            redis.pcall('PUBLISH', '%s', KEYS[1])
            """.formatted(RELEASE_CHANNEL);

    /**
     * TryLock with its fencing token. A lock key is a hash: field {@code o} the owner and {@code i} the id of the
     * store instance that granted it (both absent in a tombstone), {@code t} the last token granted on the key, and
     * {@code w}, while held, the contender mark: the store instance whose contender came last from another instance
     * than the holder's (a refused TryLock, or a waiter's {@link #LEASE_LEFT}), which {@link #HAND_OVER} yields to;
     * Unlock removes it. Takes the key for {@code ARGV[1]} for {@code ARGV[2]} milliseconds as store instance
     * {@code ARGV[3]} when it has no owner, and replies the grant's token: {@code max(last token + 1, server TIME in
     * microseconds)}; when the key is held, marks it with {@code ARGV[3]} unless the holder is of that instance or
     * the mark is that already (then no command), and replies {@link #NOT_ACQUIRED}. README, "Fencing tokens", says
     * why the tokens keep growing. Lua numbers are doubles: exact up to 2^53, which microseconds since 1970 pass in
     * 2255.
     */
    static final RedisLockScript TRY_LOCK = new RedisLockScript("""
            local held = redis.call('HMGET', KEYS[1], 'o', 't', 'w', 'i')
            if held[1] then
              if held[3] ~= ARGV[3] and held[4] ~= ARGV[3] then redis.call('HSET', KEYS[1], 'w', ARGV[3]) end
              return 0
            end
            local now = redis.call('TIME')
            local token = tonumber(now[1]) * 1000000 + tonumber(now[2])
            local last = tonumber(held[2])
            if last and last >= token then token = last + 1 end
            redis.call('HSET', KEYS[1], 'o', ARGV[1], 't', string.format('%.0f', token), 'i', ARGV[3])
            redis.call('PEXPIRE', KEYS[1], ARGV[2])
            return token
            """);

    /**
     * Hand-over: when {@code ARGV[1]} holds the key, makes {@code ARGV[3]} its holder for {@code ARGV[4]}
     * milliseconds with the token after the holder's ({@code t + 1}: larger than every earlier token of the key, as
     * the holder's was, and one command fewer than reading the clock), granted through store instance
     * {@code ARGV[5]} (the releasing one, whose line the next owner came from); replies the token, or
     * {@link #NOT_ACQUIRED} when {@code ARGV[1]} does not hold the key. Publishes nothing: the key is never free.
     * Except when the key is marked by another store instance than {@code ARGV[5]} (a contender of another
     * application waits): then it releases the key as {@link #UNLOCK} does ({@code ARGV[2]} the token retention),
     * publishes it (the mark says a contender of another instance listens) and replies {@link #RELEASED}.
     */
    static final RedisLockScript HAND_OVER = new RedisLockScript("""
            local held = redis.call('HMGET', KEYS[1], 'o', 't', 'w')
            if held[1] ~= ARGV[1] then return 0 end
            if held[3] and held[3] ~= ARGV[5] then
            %s%s  return -1
            end
            local token = (tonumber(held[2]) or 0) + 1
            redis.call('HSET', KEYS[1], 'o', ARGV[3], 't', string.format('%%.0f', token), 'i', ARGV[5])
            redis.call('PEXPIRE', KEYS[1], ARGV[4])
            return token
            """.formatted(RELEASE, ANNOUNCE));

    /**
     * Unlock: when {@code ARGV[1]} holds the key, releases it (the owner and the mark removed, a tombstone with the
     * last token kept for {@code ARGV[2]} milliseconds; see {@link #RELEASE}), and publishes the key only when
     * someone outside the unlocking store instance {@code ARGV[3]} may wait for it: the key is marked (a contender of
     * another instance), or it was granted through another instance (whose own waiters leave no mark). Waiters of
     * the unlocking instance are woken by that instance itself, so an uncontended Unlock publishes nothing. Replies
     * {@link #SUCCESS}, {@link #NO_LOCK} (no owner) or {@link #OTHER_OWNER}.
     */
    static final RedisLockScript UNLOCK = new RedisLockScript("""
            local held = redis.call('HMGET', KEYS[1], 'o', 'w', 'i')
            if not held[1] then return 0 end
            if held[1] ~= ARGV[1] then return 2 end
            %sif held[2] or held[3] ~= ARGV[3] then
            %send
            return 1
            """.formatted(RELEASE, ANNOUNCE));

    /**
     * Sets the key's time to live to {@code ARGV[2]} milliseconds when {@code ARGV[1]} holds it. Replies as
     * {@link #UNLOCK}.
     */
    static final RedisLockScript KEEP_ALIVE = new RedisLockScript("""
            local holder = redis.call('HGET', KEYS[1], 'o')
            if not holder then return 0 end
            if holder ~= ARGV[1] then return 2 end
            redis.call('PEXPIRE', KEYS[1], ARGV[2])
            return 1
            """);

    /**
     * What a waiter reads: the milliseconds left on the key's lease as {@code PTTL} tells them, or {@code -2} when
     * nobody holds it (no key, or a tombstone). A held key is marked with {@code ARGV[1]} as a refused
     * {@link #TRY_LOCK} marks it (not when held through that instance or marked so already): the waiter reads after
     * it has registered for the release message, so the release that follows the read is announced (not handed over
     * within another application) and the waiter hears it, even when a release between its refused TryLock and this
     * read cleared the TryLock's mark.
     */
    static final RedisLockScript LEASE_LEFT = new RedisLockScript("""
            local held = redis.call('HMGET', KEYS[1], 'o', 'w', 'i')
            if not held[1] then return -2 end
            if held[2] ~= ARGV[1] and held[3] ~= ARGV[1] then redis.call('HSET', KEYS[1], 'w', ARGV[1]) end
            return redis.call('PTTL', KEYS[1])
            """);

    /** {@link #TRY_LOCK}'s and {@link #HAND_OVER}'s reply when the key is not granted (tokens are positive). */
    static final long NOT_ACQUIRED = 0;
    /** {@link #HAND_OVER}'s reply when it released the key instead, as {@link #UNLOCK} answering SUCCESS. */
    static final long RELEASED = -1;
    static final long NO_LOCK = 0;
    static final long SUCCESS = 1;
    static final long OTHER_OWNER = 2;

    private final String body;
    private final byte[] bodyBytes;
    private final String sha1;

    private RedisLockScript(String body) {
        this.body = body;
        this.bodyBytes = body.getBytes(StandardCharsets.UTF_8);
        this.sha1 = sha1Hex(bodyBytes);
    }

    String body() {
        return body;
    }

    byte[] bodyBytes() {
        return bodyBytes;
    }

    /** The lower-case hex SHA-1 of the body, as {@code EVALSHA} and {@code SCRIPT LOAD} use it. */
    String sha1() {
        return sha1;
    }

    /** Whether {@code failure} (or one of its causes) is Redis saying it does not know a script's SHA. */
    static boolean isNoScript(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t.getMessage() != null && t.getMessage().contains("NOSCRIPT")) {
                return true;
            }
            if (t.getCause() == t) {
                break;
            }
        }
        return false;
    }

    private static String sha1Hex(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-1").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-1 is not available", e);
        }
    }
}
