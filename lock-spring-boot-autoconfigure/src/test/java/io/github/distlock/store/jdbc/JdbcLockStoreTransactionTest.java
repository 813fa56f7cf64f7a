package io.github.distlock.store.jdbc;

import java.util.EnumMap;
import java.util.Map;
import java.util.UUID;

import javax.sql.DataSource;

import io.github.distlock.api.LockStatus;
import io.github.distlock.store.jdbc.JdbcTestStores.Db;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Lock statements run in short transactions of their own on a connection of their own, whatever the caller's
 * transaction does: on the same DataSource, a rollback of the application's transaction neither undoes a lock nor
 * an unlock made inside it, and a lock call never commits the application's work.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class JdbcLockStoreTransactionTest {

    private final Map<Db, JdbcLockStore> stores = new EnumMap<>(Db.class);

    private JdbcLockStore store(Db db) {
        return stores.computeIfAbsent(db, d -> {
            JdbcTestStores.execute(d.dataSource(), "CREATE TABLE IF NOT EXISTS app_work (id VARCHAR(64) PRIMARY KEY)");
            return JdbcTestStores.store(d.dataSource());
        });
    }

    @AfterAll
    void closeStores() {
        stores.values().forEach(JdbcLockStore::close);
    }

    @ParameterizedTest
    @EnumSource(Db.class)
    void aRollbackOfTheCallersTransactionUndoesNeitherALockNorAnUnlockMadeInIt(Db db) {
        JdbcLockStore store = store(db);
        DataSource dataSource = db.dataSource();
        TransactionTemplate transaction = new TransactionTemplate(new DataSourceTransactionManager(dataSource));
        JdbcTemplate application = new JdbcTemplate(dataSource);
        String key = "in-transaction-" + UUID.randomUUID();
        String work = UUID.randomUUID().toString();

        transaction.executeWithoutResult(status -> {
            application.update("INSERT INTO app_work (id) VALUES (?)", work);
            assertThat(store.tryLock(key, "owner", 60)).isTrue();
            assertThat(store.keepAlive(key, "owner", 60)).isEqualTo(LockStatus.SUCCESS);
            status.setRollbackOnly();
        });
        assertThat(store.tryLock(key, "other", 60)).as("still held after the caller's rollback").isFalse();
        assertThat(application.queryForObject("SELECT COUNT(*) FROM app_work WHERE id = ?", Long.class, work))
                .as("the caller's rolled-back work, which the lock calls must not have committed").isZero();

        transaction.executeWithoutResult(status -> {
            application.update("INSERT INTO app_work (id) VALUES (?)", work);
            assertThat(store.unlock(key, "owner")).isEqualTo(LockStatus.SUCCESS);
            status.setRollbackOnly();
        });
        assertThat(store.tryLock(key, "other", 60)).as("released despite the caller's rollback").isTrue();
        assertThat(application.queryForObject("SELECT COUNT(*) FROM app_work WHERE id = ?", Long.class, work))
                .isZero();
        assertThat(store.unlock(key, "other")).isEqualTo(LockStatus.SUCCESS);
    }

    @ParameterizedTest
    @EnumSource(Db.class)
    void aCommitOfTheCallersTransactionLeavesTheLockAsTheCallsLeftIt(Db db) {
        JdbcLockStore store = store(db);
        TransactionTemplate transaction = new TransactionTemplate(new DataSourceTransactionManager(db.dataSource()));
        String key = "committed-" + UUID.randomUUID();
        transaction.executeWithoutResult(status -> {
            assertThat(store.tryLock(key, "owner", 60)).isTrue();
            // Visible to others before the caller commits: it was committed on its own connection.
            assertThat(store.tryLock(key, "other", 60)).isFalse();
        });
        assertThat(store.unlock(key, "owner")).isEqualTo(LockStatus.SUCCESS);
    }

    /** A pool that hands out connections in manual-commit mode: the store commits its own statements. */
    @ParameterizedTest
    @EnumSource(Db.class)
    void onAPoolWithoutAutoCommitLocksAreCommitted(Db db) {
        DataSource manualCommit = db.dataSource("manual-commit", config -> config.setAutoCommit(false));
        try (JdbcLockStore store = JdbcTestStores.store(manualCommit)) {
            JdbcLockStore observer = store(db);
            String key = "manual-commit-" + UUID.randomUUID();
            assertThat(store.tryLockFenced(key, "owner", 60)).isEqualTo(1);
            assertThat(observer.tryLock(key, "other", 60)).as("held, seen through another pool").isFalse();
            assertThat(store.keepAlive(key, "owner", 60)).isEqualTo(LockStatus.SUCCESS);
            assertThat(store.unlock(key, "owner")).isEqualTo(LockStatus.SUCCESS);
            assertThat(observer.tryLock(key, "other", 60)).as("released, seen through another pool").isTrue();
            assertThat(store.unlock(key, "owner")).isEqualTo(LockStatus.LOCK_BELONG_TO_OTHERS);
        }
    }
}
