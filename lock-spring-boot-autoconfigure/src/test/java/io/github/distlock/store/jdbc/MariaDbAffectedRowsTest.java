package io.github.distlock.store.jdbc;

import java.util.UUID;

import io.github.distlock.api.LockStatus;
import io.github.distlock.spi.FencedLockStore;
import io.github.distlock.store.jdbc.JdbcTestStores.Db;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * MariaDB Connector/J with {@code useAffectedRows=true}: statements that change nothing count 0 rather than the
 * rows found (the default, which the other tests use). Outcomes must not depend on which count the driver reports.
 */
class MariaDbAffectedRowsTest {

    @Test
    void outcomesAreTheSameWhenTheDriverCountsChangedRows() throws Exception {
        try (JdbcLockStore store = JdbcTestStores.store(Db.MARIADB.dataSource("affected-rows",
                config -> config.addDataSourceProperty("useAffectedRows", "true")))) {
            String key = "affected-rows-" + UUID.randomUUID();
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
        }
    }
}
