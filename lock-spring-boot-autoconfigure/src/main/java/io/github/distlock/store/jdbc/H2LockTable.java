package io.github.distlock.store.jdbc;

import io.github.distlock.spi.FencedLockStore;

import org.springframework.dao.DuplicateKeyException;
import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * H2 (2.x). TryLock is a {@code MERGE} that updates the row only {@code WHEN MATCHED AND} its lease is over and
 * inserts it when missing, read through {@code FINAL TABLE} for the token (no row: refused). H2 locks the row and
 * re-evaluates the condition on the committed version when it had to wait for another writer. Two statements
 * inserting the same new key at once make one fail on the primary key; it is run once more, and then finds the row.
 * Time: {@code CURRENT_TIMESTAMP(3)}, the H2 server's clock (the application's own in embedded mode).
 */
final class H2LockTable extends LockTableDialect {

    private final String tryLockSql;

    H2LockTable(String table) {
        super(table);
        this.tryLockSql = "SELECT fencing_token FROM FINAL TABLE (MERGE INTO " + table + " held"
                + " USING (VALUES (CAST(? AS VARBINARY(255)), CAST(? AS VARBINARY(255)), " + nowPlusSeconds() + "))"
                + " AS asked(lock_key, lock_owner, expires_at) ON held.lock_key = asked.lock_key"
                + " WHEN MATCHED AND held.expires_at <= " + now() + " THEN UPDATE SET lock_owner = asked.lock_owner,"
                + " expires_at = asked.expires_at, fencing_token = held.fencing_token + 1"
                + " WHEN NOT MATCHED THEN INSERT (lock_key, lock_owner, expires_at, fencing_token)"
                + " VALUES (asked.lock_key, asked.lock_owner, asked.expires_at, 1))";
    }

    @Override
    String databaseName() {
        return "H2";
    }

    @Override
    String createTableSql() {
        return "CREATE TABLE IF NOT EXISTS " + table + " (\n"
                + "    lock_key      VARBINARY(255)              NOT NULL PRIMARY KEY,\n"
                + "    lock_owner    VARBINARY(255)              NOT NULL,\n"
                + "    expires_at    TIMESTAMP(3) WITH TIME ZONE NOT NULL,\n"
                + "    fencing_token BIGINT                      NOT NULL\n"
                + ")";
    }

    @Override
    long tryLock(JdbcClient jdbc, byte[] key, byte[] owner, int expireSeconds) {
        try {
            return merge(jdbc, key, owner, expireSeconds);
        } catch (DuplicateKeyException raceOnANewKey) {
            return merge(jdbc, key, owner, expireSeconds);
        }
    }

    private long merge(JdbcClient jdbc, byte[] key, byte[] owner, int expireSeconds) {
        return jdbc.sql(tryLockSql).param(key).param(owner).param(expireSeconds)
                .query((rs, row) -> rs.getLong(1)).optional().orElse(FencedLockStore.NOT_ACQUIRED);
    }

    @Override
    protected String now() {
        return "CURRENT_TIMESTAMP(3)";
    }

    @Override
    protected String nowPlusSeconds() {
        return "CURRENT_TIMESTAMP(3) + CAST(? AS INTEGER) * INTERVAL '1' SECOND";
    }

    @Override
    protected String millisLeft() {
        // Not DATEDIFF: it counts in each value's local time, so values with different offsets (sessions in other
        // time zones) come out hours apart.
        return "CAST(CEIL((EXTRACT(EPOCH FROM expires_at) - EXTRACT(EPOCH FROM CURRENT_TIMESTAMP(3))) * 1000)"
                + " AS BIGINT)";
    }

    @Override
    protected String released() {
        return "TIMESTAMP WITH TIME ZONE '1970-01-01 00:00:00+00'";
    }
}
