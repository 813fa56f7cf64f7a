package io.github.distlock.sample;

import io.github.distlock.autoconfigure.DistributedLockAutoConfiguration;
import io.github.distlock.store.inmemory.InMemoryLockStoreAutoConfiguration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

import static org.assertj.core.api.Assertions.assertThat;

/** Without a profile the sample is one instance: locks in this JVM over a ledger file others would open too. */
@ExtendWith(OutputCaptureExtension.class)
class SingleInstanceWarningTest {

    private static final String WARNING = "locks are local to this JVM";

    private final ApplicationContextRunner runner = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(DistributedLockAutoConfiguration.class,
                    InMemoryLockStoreAutoConfiguration.class))
            .withUserConfiguration(SingleInstanceWarning.class)
            .withPropertyValues("distributed-lock.stores.orders.type=in-memory");

    @Test
    void inMemoryLocksOverTheLedgerFileWarnOnce(CapturedOutput output) {
        runner.withPropertyValues("spring.datasource.url=jdbc:h2:file:/tmp/distlock-sample/ledger;AUTO_SERVER=TRUE")
                .run(context -> assertThat(context).hasNotFailed());
        assertThat(output.toString().lines().filter(line -> line.contains(WARNING)).toList()).singleElement()
                .asString().contains("WARN", "Lock store 'orders' is in memory",
                        "shared store profile (redis, zookeeper or etcd)");
    }

    @Test
    void aLedgerOfThisJvmAloneDoesNotWarn(CapturedOutput output) {
        runner.withPropertyValues("spring.datasource.url=jdbc:h2:mem:ledger")
                .run(context -> assertThat(context).hasNotFailed());
        assertThat(output).doesNotContain(WARNING);
    }

    @Test
    void theRedisLedgerDoesNotWarn(CapturedOutput output) {
        runner.withPropertyValues("sample.ledger.store=redis",
                        "spring.datasource.url=jdbc:h2:file:/tmp/distlock-sample/ledger;AUTO_SERVER=TRUE")
                .run(context -> assertThat(context).hasNotFailed().doesNotHaveBean(SingleInstanceWarning.class));
        assertThat(output).doesNotContain(WARNING);
    }
}
