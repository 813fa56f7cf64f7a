package io.github.distlock.store.inmemory;

import java.time.Duration;

import io.github.distlock.spi.LockStore;
import io.github.distlock.testsupport.ChildJvm;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The cross-process check itself must be able to fail: two JVMs each with their own in-memory store do not exclude
 * each other, and the file counters must show it.
 */
class InMemoryChildJvmTest {

    public static class SeparateInMemoryStores implements ChildJvm.StoreFactory {
        @Override
        public LockStore create(String argument) {
            return new InMemoryLockStore();
        }
    }

    @Test
    void theFileCountersRevealLocksThatDoNotExcludeAcrossProcesses() throws Exception {
        ChildJvm.ExclusionResult result = ChildJvm.runExclusion(SeparateInMemoryStores.class, "", 2, 4, 3000,
                Duration.ofSeconds(3), 1);
        assertThat(result.grants()).isGreaterThan(20);
        assertThat(result.counted()).as("increments lost to overlapping holders in two processes")
                .isLessThan(result.grants());
        assertThat(result.failedUnlocks()).isZero();
    }
}
