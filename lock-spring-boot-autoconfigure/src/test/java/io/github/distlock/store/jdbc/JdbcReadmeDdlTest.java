package io.github.distlock.store.jdbc;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** The README's DDL for each database is the one the store creates and names in its startup error. */
class JdbcReadmeDdlTest {

    @Test
    void theReadmeShowsTheDdlOfEveryDatabase() throws Exception {
        Path readme = Path.of("..", "README.md");
        assertThat(readme).exists();
        String text = Files.readString(readme);
        for (LockTableDialect dialect : List.of(new PostgresLockTable(JdbcTestStores.TABLE, true),
                new MySqlLockTable(JdbcTestStores.TABLE), new H2LockTable(JdbcTestStores.TABLE))) {
            assertThat(text).as("README DDL for %s", dialect.databaseName()).contains(dialect.createTableSql());
        }
    }
}
