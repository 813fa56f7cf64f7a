package io.github.distlock.store.jdbc;

import java.util.UUID;

import io.github.distlock.api.LockStatus;
import io.github.distlock.spi.FencedLockStore;
import io.github.distlock.store.jdbc.JdbcTestStores.Db;
import io.github.distlock.testsupport.JdbcTestServer;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The MySQL/MariaDB statements through MySQL Connector/J as well as MariaDB Connector/J (the contract suite uses the
 * latter), each with the found-rows count (their default) and with {@code useAffectedRows=true}, where a statement
 * that changes nothing counts 0. Outcomes and tokens must not depend on the driver or the count.
 */
class MySqlDriversTest {

    @ParameterizedTest(name = "{0} useAffectedRows={1}")
    @CsvSource({"jdbc:mysql:, false", "jdbc:mysql:, true", "jdbc:mariadb:, true"})
    void outcomesAndTokensAreTheSameWhateverTheDriverAndTheRowCount(String scheme, boolean affectedRows)
            throws Exception {
        String connection = Db.MARIADB.connectionString().replace("jdbc:mariadb:", scheme);
        try (JdbcLockStore store = JdbcTestStores.store(JdbcTestServer.dataSource(connection,
                config -> config.addDataSourceProperty("useAffectedRows", Boolean.toString(affectedRows))))) {
            assertThat(store.databaseName()).isEqualTo("MySQL/MariaDB");
            String key = "drivers-" + UUID.randomUUID();
            assertThat(store.tryLockFenced(key, "owner", 1)).isEqualTo(1);
            assertThat(store.tryLockFenced(key, "owner", 1)).as("same owner, changes nothing")
                    .isEqualTo(FencedLockStore.NOT_ACQUIRED);
            assertThat(store.tryLockFenced(key, "other", 1)).isEqualTo(FencedLockStore.NOT_ACQUIRED);
            // Renewals in quick succession: some land in the same millisecond and change nothing.
            for (int i = 0; i < 50; i++) {
                assertThat(store.keepAlive(key, "owner", 1)).as("renewal %s", i).isEqualTo(LockStatus.SUCCESS);
            }
            assertThat(store.keepAlive(key, "other", 1)).isEqualTo(LockStatus.LOCK_BELONG_TO_OTHERS);
            Thread.sleep(1100);
            assertThat(store.keepAlive(key, "owner", 1)).as("lapsed").isEqualTo(LockStatus.LOCK_UNEXIST);
            assertThat(store.tryLockFenced(key, "other", 60)).as("taken over").isEqualTo(2);
            assertThat(store.unlock(key, "owner")).isEqualTo(LockStatus.LOCK_BELONG_TO_OTHERS);
            assertThat(store.unlock(key, "other")).isEqualTo(LockStatus.SUCCESS);
            assertThat(store.unlock(key, "other")).isEqualTo(LockStatus.LOCK_UNEXIST);
            assertThat(store.tryLockFenced(key, "third", 60)).as("after an unlock").isEqualTo(3);
        }
    }
}
