package io.github.distlock.api;

import java.time.Duration;
import java.util.Objects;

/**
 * How to take and hold one lock: which store, how long the lease is, how long to wait for a lock another owner
 * holds, and while it is held: renewal, reentrancy, what a loss does, how long it is kept at least. Immutable;
 * checked when built, so a bad value fails where it is written, not at the first lock.
 *
 * <pre>{@code
 * LockOptions.waitFor(Duration.ofSeconds(5))                       // default store and lease, wait up to 5 s
 * LockOptions.builder().store("orders").expire(Duration.ofMinutes(2)).build()
 * LockOptions.builder().holdAtLeast(Duration.ofSeconds(1)).build() // a scheduled job: see holdAtLeast
 * }</pre>
 *
 * <p>This class also owns the rules of its values, used by every place that accepts them ({@code @DistributedLock}
 * attributes, {@code distributed-lock.default-expire}): {@link #expireSeconds(Duration)},
 * {@link #checkWaitTime(Duration)} and {@link #checkHoldAtLeast(Duration, int)}.
 */
public final class LockOptions {

    /** Lease of a lock that names none, unless {@code distributed-lock.default-expire} says otherwise: 30 s. */
    public static final Duration DEFAULT_EXPIRE = Duration.ofSeconds(30);

    /** Longest wait accepted, 365 days: beyond any sensible wait, and safely inside a long of nanoseconds. */
    public static final Duration MAX_WAIT_TIME = Duration.ofDays(365);

    private static final LockOptions TRY_ONCE = new LockOptions(builder());

    private final String storeName;
    private final Duration expire;
    private final int expireSeconds;
    private final Duration waitTime;
    private final long waitNanos;
    private final boolean renewal;
    private final boolean reentrant;
    private final OnLockLost onLockLost;
    private final Duration holdAtLeast;

    private LockOptions(Builder builder) {
        this.storeName = builder.storeName;
        this.expire = builder.expire;
        this.expireSeconds = builder.expire == null ? 0 : expireSeconds(builder.expire);
        this.waitTime = builder.waitTime;
        this.waitNanos = checkWaitTime(builder.waitTime);
        this.renewal = builder.renewal;
        this.reentrant = builder.reentrant;
        this.onLockLost = builder.onLockLost;
        this.holdAtLeast = builder.holdAtLeast;
        if (expire != null) {
            Builder.check("holdAtLeast", holdAtLeast, () -> checkHoldAtLeast(holdAtLeast, expireSeconds));
        }
    }

    /** The default store, the configured lease, one TryLock without waiting. */
    public static LockOptions tryOnce() {
        return TRY_ONCE;
    }

    /** The default store and the configured lease, waiting up to {@code waitTime} (0 to 365 days). */
    public static LockOptions waitFor(Duration waitTime) {
        return builder().waitTime(waitTime).build();
    }

    /** The store named {@code storeName}, the configured lease, one TryLock without waiting. */
    public static LockOptions inStore(String storeName) {
        return builder().store(storeName).build();
    }

    public static Builder builder() {
        return new Builder();
    }

    /** A builder starting from these options. */
    public Builder toBuilder() {
        Builder builder = new Builder();
        builder.storeName = storeName;
        builder.expire = expire;
        builder.waitTime = waitTime;
        builder.renewal = renewal;
        builder.reentrant = reentrant;
        builder.onLockLost = onLockLost;
        builder.holdAtLeast = holdAtLeast;
        return builder;
    }

    /** The store's name ({@code distributed-lock.stores.<name>}); empty for the default store. */
    public String storeName() {
        return storeName;
    }

    /** The lease, whole seconds; {@code null} for {@code distributed-lock.default-expire}. */
    public Duration expire() {
        return expire;
    }

    /** The lease in seconds, or 0 for {@code distributed-lock.default-expire}. */
    public int expireSeconds() {
        return expireSeconds;
    }

    /** How long to wait for a lock another owner holds; {@link Duration#ZERO}: one TryLock. */
    public Duration waitTime() {
        return waitTime;
    }

    /** {@link #waitTime()} in nanoseconds. */
    public long waitNanos() {
        return waitNanos;
    }

    /**
     * Whether the lease is renewed (LockKeepAlive every third of it) while the lock is held; unless
     * {@code distributed-lock.renewal.enabled} is {@code false}. Default {@code true}.
     */
    public boolean renewal() {
        return renewal;
    }

    /**
     * Whether a call on a lock its thread already holds, in an enclosing call of the same store and resource id, runs
     * at once under that lock (no TryLock, no Unlock). When {@code false} such a call fails at once with
     * {@link LockNotAcquiredException}. Default {@code true}.
     */
    public boolean reentrant() {
        return reentrant;
    }

    /** What a locked call does when its lock is lost while it runs. Default {@link OnLockLost#CONTINUE}. */
    public OnLockLost onLockLost() {
        return onLockLost;
    }

    /**
     * How long after its acquisition the lock is kept at least: released sooner, its lease is set to end then
     * (LockKeepAlive to the rest, rounded up to whole seconds) instead of Unlock. {@link Duration#ZERO} (the
     * default): released at once.
     */
    public Duration holdAtLeast() {
        return holdAtLeast;
    }

    /**
     * The rule of every lease: whole seconds, from 1 to {@link Integer#MAX_VALUE} (the Lock API's {@code expire} is
     * a 32-bit number of seconds).
     *
     * @return the lease in seconds
     * @throws IllegalArgumentException when {@code expire} breaks the rule; the message says why, worded to follow
     *                                  the quoted value ({@code "'1500ms' " + message})
     */
    public static int expireSeconds(Duration expire) {
        Objects.requireNonNull(expire, "expire");
        if (expire.compareTo(Duration.ofSeconds(1)) < 0 || expire.toNanosPart() != 0
                || expire.getSeconds() > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("is not a whole number of seconds from 1 to " + Integer.MAX_VALUE
                    + " (the Lock API counts leases in seconds, as a 32-bit int).");
        }
        return (int) expire.getSeconds();
    }

    /**
     * The rule of every wait time: from 0 to {@link #MAX_WAIT_TIME}.
     *
     * @return the wait time in nanoseconds
     * @throws IllegalArgumentException when {@code waitTime} breaks the rule; the message says why, worded to follow
     *                                  the quoted value
     */
    public static long checkWaitTime(Duration waitTime) {
        Objects.requireNonNull(waitTime, "waitTime");
        if (waitTime.isNegative()) {
            throw new IllegalArgumentException("is negative (a wait time is from 0s, one TryLock, to 365d).");
        }
        if (waitTime.compareTo(MAX_WAIT_TIME) > 0) {
            throw new IllegalArgumentException("is too long (a wait time is from 0s, one TryLock, to 365d).");
        }
        return waitTime.toNanos();
    }

    /**
     * The rule of {@code holdAtLeast}: from 0 to the lease, since after the call the lock is kept only by its lease.
     *
     * @param expireSeconds the lease the lock is taken with, in seconds
     * @throws IllegalArgumentException when {@code holdAtLeast} breaks the rule; the message says why, worded to
     *                                  follow the quoted value
     */
    public static void checkHoldAtLeast(Duration holdAtLeast, int expireSeconds) {
        Objects.requireNonNull(holdAtLeast, "holdAtLeast");
        if (holdAtLeast.isNegative()) {
            throw new IllegalArgumentException("is negative (0s: the lock is released when the call ends).");
        }
        if (holdAtLeast.compareTo(Duration.ofSeconds(expireSeconds)) > 0) {
            throw new IllegalArgumentException("is longer than the lease of " + expireSeconds + "s (after the call "
                    + "the lock is kept only by its lease, so holdAtLeast must be at most expire).");
        }
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof LockOptions that && storeName.equals(that.storeName)
                && Objects.equals(expire, that.expire) && waitTime.equals(that.waitTime)
                && renewal == that.renewal && reentrant == that.reentrant && onLockLost == that.onLockLost
                && holdAtLeast.equals(that.holdAtLeast);
    }

    @Override
    public int hashCode() {
        return Objects.hash(storeName, expire, waitTime, renewal, reentrant, onLockLost, holdAtLeast);
    }

    @Override
    public String toString() {
        return "LockOptions[store=" + (storeName.isEmpty() ? "(default)" : storeName) + ", expire="
                + (expire == null ? "(default)" : expire) + ", waitTime=" + waitTime + ", renewal=" + renewal
                + ", reentrant=" + reentrant + ", onLockLost=" + onLockLost + ", holdAtLeast=" + holdAtLeast + "]";
    }

    /**
     * Builds {@link LockOptions}; each setter checks its value at once, and {@link #build()} checks
     * {@code holdAtLeast} against {@code expire} ({@link IllegalArgumentException} naming the option). Unset: the
     * default store, the configured lease, no wait, renewal on, reentrant, {@link OnLockLost#CONTINUE}, no
     * {@code holdAtLeast}.
     */
    public static final class Builder {

        private String storeName = "";
        private Duration expire;
        private Duration waitTime = Duration.ZERO;
        private boolean renewal = true;
        private boolean reentrant = true;
        private OnLockLost onLockLost = OnLockLost.CONTINUE;
        private Duration holdAtLeast = Duration.ZERO;

        private Builder() {
        }

        /**
         * The store's name ({@code distributed-lock.stores.<name>}), without surrounding white space; {@code null},
         * empty or blank: the default store (the same rule as the Lock API's {@code store_name}).
         */
        public Builder store(String storeName) {
            this.storeName = storeName == null ? "" : storeName.strip();
            return this;
        }

        /** The lease: whole seconds, at least 1; {@code null}: {@code distributed-lock.default-expire}. */
        public Builder expire(Duration expire) {
            if (expire != null) {
                check("expire", expire, () -> expireSeconds(expire));
            }
            this.expire = expire;
            return this;
        }

        /** How long to wait for a lock another owner holds: 0 (one TryLock, the default) to 365 days. */
        public Builder waitTime(Duration waitTime) {
            Objects.requireNonNull(waitTime, "waitTime");
            check("waitTime", waitTime, () -> checkWaitTime(waitTime));
            this.waitTime = waitTime;
            return this;
        }

        /** Whether the lease is renewed while the lock is held (default {@code true}); see {@link #renewal()}. */
        public Builder renewal(boolean renewal) {
            this.renewal = renewal;
            return this;
        }

        /** Whether nested calls on a lock the thread holds run under it (default {@code true}); see {@link #reentrant()}. */
        public Builder reentrant(boolean reentrant) {
            this.reentrant = reentrant;
            return this;
        }

        /** What a locked call does when its lock is lost (default {@link OnLockLost#CONTINUE}). */
        public Builder onLockLost(OnLockLost onLockLost) {
            this.onLockLost = Objects.requireNonNull(onLockLost, "onLockLost");
            return this;
        }

        /**
         * How long after its acquisition the lock is kept at least (default 0); at most the lease, checked by
         * {@link #build()} when {@code expire} is set, else when the lock is taken; see {@link #holdAtLeast()}.
         */
        public Builder holdAtLeast(Duration holdAtLeast) {
            Objects.requireNonNull(holdAtLeast, "holdAtLeast");
            check("holdAtLeast", holdAtLeast, () -> checkHoldAtLeast(holdAtLeast, Integer.MAX_VALUE));
            this.holdAtLeast = holdAtLeast;
            return this;
        }

        public LockOptions build() {
            return new LockOptions(this);
        }

        static void check(String option, Duration value, Runnable rule) {
            try {
                rule.run();
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(option + " '" + value + "' " + e.getMessage(), e);
            }
        }
    }
}
