package io.github.distlock.store.jdbc;

import io.github.distlock.spi.FencedLockStore;

import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * PostgreSQL. TryLock is {@code INSERT ... ON CONFLICT DO UPDATE ... WHERE} the held lease is over,
 * {@code RETURNING} the token: PostgreSQL guarantees that statement an atomic insert-or-update outcome under READ
 * COMMITTED, re-checking the condition on the newest row version when it had to wait for another writer. Unlock
 * also sends {@code pg_notify} with the key (in hex) on {@value PostgresReleaseListener#CHANNEL}, delivered to
 * listeners when its transaction commits. Time: {@code clock_timestamp()}.
 */
final class PostgresLockTable extends LockTableDialect {

    private final String tryLockSql;
    private final String unlockSql;

    PostgresLockTable(String table, boolean notifyReleases) {
        super(table);
        this.tryLockSql = "INSERT INTO " + table + " AS held (lock_key, lock_owner, expires_at, fencing_token)"
                + " VALUES (?, ?, " + nowPlusSeconds() + ", 1)"
                + " ON CONFLICT (lock_key) DO UPDATE SET lock_owner = EXCLUDED.lock_owner,"
                + " expires_at = EXCLUDED.expires_at, fencing_token = held.fencing_token + 1"
                + " WHERE held.expires_at <= " + now()
                + " RETURNING held.fencing_token";
        this.unlockSql = "UPDATE " + table + " SET expires_at = " + released()
                + " WHERE lock_key = ? AND lock_owner = ? AND expires_at > " + now()
                + (notifyReleases ? " RETURNING pg_notify('" + PostgresReleaseListener.CHANNEL
                        + "', encode(lock_key, 'hex'))" : " RETURNING 1");
    }

    @Override
    String databaseName() {
        return "PostgreSQL";
    }

    @Override
    String createTableSql() {
        return "CREATE TABLE IF NOT EXISTS " + table + " (\n"
                + "    lock_key      BYTEA       NOT NULL PRIMARY KEY,\n"
                + "    lock_owner    BYTEA       NOT NULL,\n"
                + "    expires_at    TIMESTAMPTZ NOT NULL,\n"
                + "    fencing_token BIGINT      NOT NULL\n"
                + ")";
    }

    @Override
    long tryLock(JdbcClient jdbc, byte[] key, byte[] owner, int expireSeconds) {
        return jdbc.sql(tryLockSql).param(key).param(owner).param(expireSeconds)
                .query((rs, row) -> rs.getLong(1)).optional().orElse(FencedLockStore.NOT_ACQUIRED);
    }

    @Override
    boolean unlock(JdbcClient jdbc, byte[] key, byte[] owner) {
        // A query, for RETURNING: one row when the lease was ended (and the notification queued).
        return !jdbc.sql(unlockSql).param(key).param(owner).query().listOfRows().isEmpty();
    }

    @Override
    protected String now() {
        return "clock_timestamp()";
    }

    @Override
    protected String nowPlusSeconds() {
        return "clock_timestamp() + ? * INTERVAL '1 second'";
    }

    @Override
    protected String millisLeft() {
        return "CEIL(EXTRACT(EPOCH FROM (expires_at - clock_timestamp())) * 1000)::BIGINT";
    }

    @Override
    protected String released() {
        return "TIMESTAMPTZ 'epoch'";
    }
}
