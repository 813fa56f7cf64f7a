package io.github.distlock.api;

import java.time.Duration;
import java.util.Objects;

/**
 * How to take one lock: which store, how long the lease is, how long to wait for a lock another owner holds.
 * Immutable; checked when built, so a bad value fails where it is written, not at the first lock.
 *
 * <pre>{@code
 * LockOptions.waitFor(Duration.ofSeconds(5))                       // default store and lease, wait up to 5 s
 * LockOptions.builder().store("orders").expire(Duration.ofMinutes(2)).build()
 * }</pre>
 *
 * <p>This class also owns the rules of its values, used by every place that accepts them ({@code @DistributedLock}
 * attributes, {@code distributed-lock.default-expire}): {@link #expireSeconds(Duration)} and
 * {@link #checkWaitTime(Duration)}.
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

    private LockOptions(Builder builder) {
        this.storeName = builder.storeName;
        this.expire = builder.expire;
        this.expireSeconds = builder.expire == null ? 0 : expireSeconds(builder.expire);
        this.waitTime = builder.waitTime;
        this.waitNanos = checkWaitTime(builder.waitTime);
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

    @Override
    public boolean equals(Object other) {
        return other instanceof LockOptions that && storeName.equals(that.storeName)
                && Objects.equals(expire, that.expire) && waitTime.equals(that.waitTime);
    }

    @Override
    public int hashCode() {
        return Objects.hash(storeName, expire, waitTime);
    }

    @Override
    public String toString() {
        return "LockOptions[store=" + (storeName.isEmpty() ? "(default)" : storeName) + ", expire="
                + (expire == null ? "(default)" : expire) + ", waitTime=" + waitTime + "]";
    }

    /**
     * Builds {@link LockOptions}; each setter checks its value at once ({@link IllegalArgumentException} naming the
     * option). Unset: the default store, the configured lease, no wait.
     */
    public static final class Builder {

        private String storeName = "";
        private Duration expire;
        private Duration waitTime = Duration.ZERO;

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

        public LockOptions build() {
            return new LockOptions(this);
        }

        private static void check(String option, Duration value, Runnable rule) {
            try {
                rule.run();
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(option + " '" + value + "' " + e.getMessage(), e);
            }
        }
    }
}
