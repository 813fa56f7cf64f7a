package io.github.distlock.store.zookeeper;

import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import org.apache.zookeeper.common.PathUtils;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** {@link LockNodeCodec}: node names from keys, and node data. */
class LockNodeNamesTest {

    private static final List<String> KEYS = List.of("a/b", "a%2Fb", "a%252Fb", "a_b", "a:b", ".", "..", "...", "%2E",
            "/", "//", " ", "ünïcødé-锁-🔒", "line\nbreak", "nul\u0000", "zookeeper", "a~b", "x".repeat(900),
            "x".repeat(899) + "y", "%".repeat(200), "%".repeat(199) + "a", "order:42");

    @Test
    void everyNameIsOneValidPathSegmentOfBoundedLength() {
        for (String key : KEYS) {
            String name = LockNodeCodec.nodeName(key);
            PathUtils.validatePath("/distlock/" + name);
            assertThat(name).as("name of %s", key).doesNotContain("/").hasSizeLessThanOrEqualTo(LockNodeCodec.MAX_LENGTH)
                    .isNotIn(".", "..");
        }
    }

    @Test
    void distinctKeysGetDistinctNames() {
        Set<String> names = new HashSet<>();
        for (String key : KEYS) {
            assertThat(names.add(LockNodeCodec.nodeName(key))).as("name of %s is new", key).isTrue();
        }
    }

    @Test
    void plainKeysStayReadableAndLongOnesAreHashed() {
        assertThat(LockNodeCodec.nodeName("order-42.v1_x")).isEqualTo("order-42.v1_x");
        assertThat(LockNodeCodec.nodeName("a/b")).isEqualTo("a%2Fb");
        assertThat(LockNodeCodec.nodeName("a%2Fb")).isEqualTo("a%252Fb");
        assertThat(LockNodeCodec.nodeName("x".repeat(900))).startsWith("xxxx").contains("~").hasSize(LockNodeCodec.MAX_LENGTH);
        assertThat(LockNodeCodec.nodeName("%".repeat(200))).matches("(%25)+~[0-9a-f]{64}");
    }

    @Test
    void nodeDataReadsBackAsWritten() {
        for (String owner : List.of("owner-1", "", "line\nbreak", "ünïcødé-🔒", "12\n34")) {
            assertThat(LockNodeCodec.parse(LockNodeCodec.nodeData(30_000, owner)))
                    .isEqualTo(new LockNodeCodec.LockNode(30_000, owner));
        }
        assertThat(new String(LockNodeCodec.nodeData(1000, "me"), StandardCharsets.UTF_8)).isEqualTo("1000\nme");
    }

    @Test
    void dataOfOtherNodesIsNotALock() {
        assertThat(LockNodeCodec.parse(null)).isNull();
        assertThat(LockNodeCodec.parse(new byte[0])).isNull();
        assertThat(LockNodeCodec.parse(bytes("no-newline"))).isNull();
        assertThat(LockNodeCodec.parse(bytes("\nowner"))).as("no lease").isNull();
        assertThat(LockNodeCodec.parse(bytes("soon\nowner"))).as("lease not a number").isNull();
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
