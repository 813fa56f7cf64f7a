package io.github.distlock.readme;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import io.github.distlock.api.LockHandle;
import io.github.distlock.api.LockOptions;
import io.github.distlock.autoconfigure.DistributedLockAutoConfiguration;
import io.github.distlock.core.LockTemplate;
import io.github.distlock.store.inmemory.InMemoryLockStoreAutoConfiguration;
import org.junit.jupiter.api.Test;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import static org.assertj.core.api.Assertions.assertThat;

/** The README's "Locking from code" example is {@link SettlementService}, and does what the README says. */
class LockingFromCodeReadmeTest {

    private final ApplicationContextRunner runner = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(DistributedLockAutoConfiguration.class,
                    InMemoryLockStoreAutoConfiguration.class))
            .withBean(SettlementService.class);

    @Test
    void theExampleRuns() {
        runner.run(context -> {
            SettlementService settlements = context.getBean(SettlementService.class);
            assertThat(settlements.settle("42")).startsWith("booked 42 under ").doesNotContain("no lock");
            assertThat(settlements.settleBatch("b1", List.of("1", "2"))).isTrue();
            LockTemplate locks = context.getBean(LockTemplate.class);
            // A handle of acquire() is another owner, also on this thread (executeLocked would be reentered).
            try (LockHandle batch = locks.acquire("batch:b2", LockOptions.tryOnce())) {
                assertThat(settlements.settleBatch("b2", List.of("3")))
                        .as("skipped while another owner holds the batch").isFalse();
            }
        });
    }

    @Test
    void theReadmeShowsThisExample() throws Exception {
        String readme = Files.readString(Path.of("../README.md"));
        String section = readme.substring(readme.indexOf("## Locking from code"));
        String shown = section.substring(section.indexOf("```java\n") + 8, section.indexOf("```\n\n"));
        String source = Files.readString(Path.of("src/test/java/io/github/distlock/readme/SettlementService.java"));
        String compiled = source.substring(source.indexOf("import")).replaceAll("(?m)^// The example of.*\n", "");
        assertThat(shown).isEqualTo(compiled);
    }
}
