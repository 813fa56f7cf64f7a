package io.github.distlock.store.jdbc;

import io.github.distlock.spi.FencedLockStore;

import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * PostgreSQL. TryLock is {@code INSERT ... ON CONFLICT DO UPDATE ... WHERE} the held lease is over,
 * {@code RETURNING} the token: PostgreSQL guarantees that statement an atomic insert-or-update outcome under READ
 * COMMITTED, re-checking the condition on the newest row version when it had to wait for another writer. Time:
 * {@code clock_timestamp()}.
 *
 * <p>Release notifications: a waiter that finds the lease not yet marked sets {@code waited_until} to the end of
 * the lease it waits for (the latest of them, when several wait), with an {@code UPDATE} that also reads it. Unlock
 * sends {@code pg_notify} with the
 * key (in hex) on {@value PostgresReleaseListener#CHANNEL} only when {@code waited_until} is still ahead, i.e. when
 * someone waits: an uncontended lock pays nothing for notifications. A waiter that marked the row after the Unlock
 * sees the lock released; one that marked it before is notified (both statements lock the row, so they are
 * ordered). The notification reaches listeners when the Unlock commits.
 */
final class PostgresLockTable extends LockTableDialect {

    private final String tryLockSql;
    private final String unlockSql;
    private final boolean notifyReleases;

    PostgresLockTable(String table, boolean notifyReleases) {
        super(table);
        this.notifyReleases = notifyReleases;
        this.tryLockSql = "INSERT INTO " + table + " AS held (lock_key, lock_owner, expires_at, fencing_token)"
                + " VALUES (?, ?, " + nowPlusSeconds() + ", 1)"
                + " ON CONFLICT (lock_key) DO UPDATE SET lock_owner = EXCLUDED.lock_owner,"
                + " expires_at = EXCLUDED.expires_at, fencing_token = held.fencing_token + 1"
                + " WHERE held.expires_at <= " + now()
                + " RETURNING held.fencing_token";
        this.unlockSql = "UPDATE " + table + " SET expires_at = " + released()
                + " WHERE lock_key = ? AND lock_owner = ? AND expires_at > " + now()
                + (notifyReleases ? " RETURNING (SELECT pg_notify('" + PostgresReleaseListener.CHANNEL
                        + "', encode(lock_key, 'hex')) WHERE waited_until > " + now() + ")" : " RETURNING 1");
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
                + "    fencing_token BIGINT      NOT NULL,\n"
                + "    waited_until  TIMESTAMPTZ\n"
                + ")";
    }

    @Override
    long tryLock(JdbcClient jdbc, byte[] key, byte[] owner, int expireSeconds) {
        return jdbc.sql(tryLockSql).param(key).param(owner).param(expireSeconds)
                .query((rs, row) -> rs.getLong(1)).optional().orElse(FencedLockStore.NOT_ACQUIRED);
    }

    /**
     * With notifications, also records that someone waits for the current lease (see the class comment). Only the
     * first waiter of a lease writes: the others find the mark, so a crowd of waiters does not queue on the row.
     */
    @Override
    Lease readWaiting(JdbcClient jdbc, byte[] key) {
        if (!notifyReleases) {
            return read(jdbc, key);
        }
        Boolean[] marked = new Boolean[1];
        Lease lease = jdbc.sql("SELECT lock_owner, " + millisLeft() + ", waited_until >= expires_at FROM " + table
                        + " WHERE lock_key = ?")
                .param(key)
                .query((rs, row) -> {
                    marked[0] = rs.getBoolean(3);
                    return new Lease(rs.getBytes(1), rs.getLong(2));
                })
                .optional().orElse(null);
        if (lease == null || !lease.live() || Boolean.TRUE.equals(marked[0])) {
            return lease;
        }
        return jdbc.sql("UPDATE " + table + " SET waited_until = GREATEST(COALESCE(waited_until, expires_at),"
                        + " expires_at) WHERE lock_key = ? AND expires_at > " + now()
                        + " RETURNING lock_owner, " + millisLeft())
                .param(key)
                .query((rs, row) -> new Lease(rs.getBytes(1), rs.getLong(2)))
                .optional().orElse(null);
    }

    @Override
    String probeSql() {
        return "SELECT lock_key, lock_owner, expires_at, fencing_token, waited_until FROM " + table + " WHERE 1 = 0";
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
