package io.github.distlock.api;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class LockKeyNamespaceTest {

    @Test
    void joinsPrefixAndResourceUnambiguously() {
        assertThat(LockKeyNamespace.of("billing").keyFor("order:1")).isEqualTo("billing:order:1");
        assertThat(LockKeyNamespace.of("a:b").keyFor("c")).isNotEqualTo(LockKeyNamespace.of("a").keyFor("b:c"));
        assertThat(LockKeyNamespace.of("a%3Ab").keyFor("c")).isNotEqualTo(LockKeyNamespace.of("a:b").keyFor("c"));
    }

    @Test
    void noneOrEmptyTurnsPrefixingOff() {
        assertThat(LockKeyNamespace.of("none").keyFor("r")).isEqualTo("r");
        assertThat(LockKeyNamespace.of("NONE").keyFor("r")).isEqualTo("r");
        assertThat(LockKeyNamespace.of("").keyFor("r")).isEqualTo("r");
        assertThat(LockKeyNamespace.of(null).keyFor("r")).isEqualTo("r");
    }
}
