package io.github.distlock.readme;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.github.distlock.api.LockNotAcquiredException;
import io.github.distlock.api.TryLockRequest;
import io.github.distlock.autoconfigure.DistributedLockAutoConfiguration;
import io.github.distlock.core.DistributedLockClient;
import io.github.distlock.store.inmemory.InMemoryLockStoreAutoConfiguration;
import org.junit.jupiter.api.Test;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Every Java snippet of the README is compiled code: a whole example is one of {@link #SOURCES} from its first
 * {@code import} on (so it compiles as pasted, imports included), a shorter excerpt has only lines of one of them.
 * The examples run here, with no store configured (the in-memory fallback), as a fresh application would.
 */
class ReadmeSnippetsTest {

    private static final List<Path> SOURCES = List.of(
            Path.of("src/test/java/io/github/distlock/readme/PaymentService.java"),
            Path.of("src/test/java/io/github/distlock/readme/StockSync.java"),
            Path.of("src/test/java/io/github/distlock/readme/SettlementService.java"),
            Path.of("src/test/java/io/github/distlock/readme/LedgerWriter.java"),
            Path.of("src/test/java/io/github/distlock/readme/NightlyReport.java"),
            Path.of("src/test/java/io/github/distlock/readme/StockReservations.java"),
            Path.of("src/test/java/io/github/distlock/store/inmemory/InMemoryLockStoreContractTest.java"));

    private final ApplicationContextRunner runner = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(DistributedLockAutoConfiguration.class,
                    InMemoryLockStoreAutoConfiguration.class))
            .withBean(PaymentService.class).withBean(StockSync.class);

    @Test
    void everyJavaSnippetIsCompiledCode() throws Exception {
        List<String> compiled = new ArrayList<>();
        for (Path source : SOURCES) {
            String text = Files.readString(source);
            compiled.add(text.substring(text.indexOf("import")).replaceAll("(?m)^// The example of.*\n", ""));
        }
        List<String> snippets = javaSnippets(Files.readString(Path.of("../README.md")));
        assertThat(snippets).hasSizeGreaterThanOrEqualTo(5);
        for (String snippet : snippets) {
            if (snippet.startsWith("import ")) {
                assertThat(compiled).as("a whole example is a compiled source from its imports on").contains(snippet);
            } else {
                for (String line : snippet.lines().map(String::strip).filter(line -> !line.isEmpty()
                        && !line.equals("...")).toList()) {
                    assertThat(compiled).as("excerpt line [%s]", line)
                            .anyMatch(source -> source.lines().map(String::strip).anyMatch(line::equals));
                }
            }
        }
    }

    @Test
    void theQuickStartExampleLocksEachOrder() {
        runner.run(context -> {
            PaymentService payments = context.getBean(PaymentService.class);
            assertThat(payments.pay("42", 1999)).isEqualTo(new PaymentService.Payment("42", 1999));
            DistributedLockClient client = context.getBean(DistributedLockClient.class);
            assertThat(client.tryLock(new TryLockRequest("", "order:43", "another-request", 30)).success()).isTrue();
            assertThatThrownBy(() -> payments.pay("43", 500)).isInstanceOf(LockNotAcquiredException.class)
                    .hasMessageContaining("order:43");
        });
    }

    @Test
    void theLockApiExampleLocksInTheDefaultStoreWhateverItsName() {
        runner.run(context -> {
            StockSync sync = context.getBean(StockSync.class);
            assertThat(sync.syncItem("A-1")).isTrue();
            DistributedLockClient client = context.getBean(DistributedLockClient.class);
            assertThat(client.tryLock(new TryLockRequest(" ", "stock:A-2", "another-sync", 30)).success()).isTrue();
            assertThat(sync.syncItem("A-2")).as("held by another owner").isFalse();
        });
    }

    /** The ```java blocks, indentation (inside a list item) removed. */
    private static List<String> javaSnippets(String readme) {
        Matcher block = Pattern.compile("(?ms)^( *)```java\n(.*?)^\\1```").matcher(readme);
        List<String> snippets = new ArrayList<>();
        while (block.find()) {
            String indent = block.group(1);
            snippets.add(block.group(2).lines()
                    .map(line -> line.startsWith(indent) ? line.substring(indent.length()) : line)
                    .reduce("", (text, line) -> text + line + "\n"));
        }
        return snippets;
    }
}
