package io.github.distlock.store.zookeeper;

import java.util.HashSet;
import java.util.List;
import java.util.Set;

import org.apache.zookeeper.common.PathUtils;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class LockNodeNamesTest {

    private static final List<String> KEYS = List.of("a/b", "a%2Fb", "a%252Fb", "a_b", "a:b", ".", "..", "...", "%2E",
            "/", "//", " ", "ünïcødé-锁-🔒", "line\nbreak", "nul\u0000", "zookeeper", "a~b", "x".repeat(900),
            "x".repeat(899) + "y", "%".repeat(200), "%".repeat(199) + "a", "order:42");

    @Test
    void everyNameIsOneValidPathSegmentOfBoundedLength() {
        for (String key : KEYS) {
            String name = LockNodeNames.nodeName(key);
            PathUtils.validatePath("/distlock/" + name);
            assertThat(name).as("name of %s", key).doesNotContain("/").hasSizeLessThanOrEqualTo(LockNodeNames.MAX_LENGTH)
                    .isNotIn(".", "..");
        }
    }

    @Test
    void distinctKeysGetDistinctNames() {
        Set<String> names = new HashSet<>();
        for (String key : KEYS) {
            assertThat(names.add(LockNodeNames.nodeName(key))).as("name of %s is new", key).isTrue();
        }
    }

    @Test
    void plainKeysStayReadableAndLongOnesAreHashed() {
        assertThat(LockNodeNames.nodeName("order-42.v1_x")).isEqualTo("order-42.v1_x");
        assertThat(LockNodeNames.nodeName("a/b")).isEqualTo("a%2Fb");
        assertThat(LockNodeNames.nodeName("a%2Fb")).isEqualTo("a%252Fb");
        assertThat(LockNodeNames.nodeName("x".repeat(900))).startsWith("xxxx").contains("~").hasSize(LockNodeNames.MAX_LENGTH);
        assertThat(LockNodeNames.nodeName("%".repeat(200))).matches("(%25)+~[0-9a-f]{64}");
    }
}
