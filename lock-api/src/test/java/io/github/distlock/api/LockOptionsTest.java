package io.github.distlock.api;

import java.time.Duration;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class LockOptionsTest {

    @Test
    void defaultsAreTheDefaultStoreTheConfiguredLeaseAndNoWait() {
        LockOptions options = LockOptions.tryOnce();
        assertThat(options.storeName()).isEmpty();
        assertThat(options.expire()).isNull();
        assertThat(options.expireSeconds()).isZero();
        assertThat(options.waitTime()).isEqualTo(Duration.ZERO);
        assertThat(LockOptions.builder().build()).isEqualTo(options);
    }

    @Test
    void factoriesAndBuilder() {
        assertThat(LockOptions.waitFor(Duration.ofSeconds(5)).waitNanos()).isEqualTo(5_000_000_000L);
        assertThat(LockOptions.inStore("orders").storeName()).isEqualTo("orders");
        LockOptions options = LockOptions.builder().store(" jobs ").expire(Duration.ofMinutes(2))
                .waitTime(Duration.ofMillis(250)).build();
        assertThat(options.storeName()).isEqualTo("jobs");
        assertThat(options.expireSeconds()).isEqualTo(120);
        assertThat(options.toBuilder().store(null).build().storeName()).as("null: the default store").isEmpty();
        assertThat(options.toBuilder().build()).isEqualTo(options).hasSameHashCodeAs(options);
        assertThat(options).hasToString("LockOptions[store=jobs, expire=PT2M, waitTime=PT0.25S, renewal=true, "
                + "reentrant=true, onLockLost=CONTINUE, holdAtLeast=PT0S]");
    }

    @Test
    void aLeaseIsWholeSecondsFromOneToIntMax() {
        assertThatThrownBy(() -> LockOptions.builder().expire(Duration.ofMillis(1500)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("expire 'PT1.5S' is not a whole number of seconds from 1 to 2147483647 (the Lock API "
                        + "counts leases in seconds, as a 32-bit int).");
        assertThatThrownBy(() -> LockOptions.builder().expire(Duration.ZERO)).hasMessageContaining("expire 'PT0S'");
        assertThatThrownBy(() -> LockOptions.builder().expire(Duration.ofSeconds(Integer.MAX_VALUE + 1L)))
                .hasMessageContaining("2147483647");
        assertThat(LockOptions.expireSeconds(Duration.ofSeconds(Integer.MAX_VALUE))).isEqualTo(Integer.MAX_VALUE);
        assertThat(LockOptions.expireSeconds(Duration.ofSeconds(1))).isEqualTo(1);
    }

    @Test
    void aWaitTimeIsFromZeroTo365Days() {
        assertThatThrownBy(() -> LockOptions.waitFor(Duration.ofMillis(-1)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("waitTime 'PT-0.001S' is negative");
        assertThatThrownBy(() -> LockOptions.waitFor(Duration.ofDays(366))).hasMessageContaining("is too long");
        assertThat(LockOptions.checkWaitTime(LockOptions.MAX_WAIT_TIME)).isEqualTo(Duration.ofDays(365).toNanos());
        assertThatThrownBy(() -> LockOptions.waitFor(null)).isInstanceOf(NullPointerException.class);
    }
}
