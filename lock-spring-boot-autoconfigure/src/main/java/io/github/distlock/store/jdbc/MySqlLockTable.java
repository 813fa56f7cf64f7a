package io.github.distlock.store.jdbc;

import java.util.List;
import java.util.Map;

import io.github.distlock.spi.FencedLockStore;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.jdbc.support.GeneratedKeyHolder;

/**
 * MySQL and MariaDB (InnoDB). TryLock is one {@code INSERT ... ON DUPLICATE KEY UPDATE} whose assignments each
 * keep the old value unless the held lease is over; the row is locked while the statement decides, so it is atomic
 * under READ COMMITTED and REPEATABLE READ alike. Assignments run left to right and see the columns already
 * assigned, so {@code expires_at}, which the conditions read, is assigned last.
 *
 * <p>The affected-rows count cannot say whether the lock was taken: with the CLIENT_FOUND_ROWS flag, which both
 * MySQL Connector/J and MariaDB Connector/J set by default ({@code useAffectedRows=false}), a refusal that changes
 * nothing counts 1, as an insert does. So the statement reports its outcome through {@code LAST_INSERT_ID(expr)}:
 * 1 on insert, the new token on takeover, 0 on refusal. The server returns that value as the statement's insert id
 * in its reply, which JDBC hands out as the generated key (none for 0), so the outcome comes back in the same round
 * trip. Time: {@code UTC_TIMESTAMP(3)} into a {@code DATETIME(3)} in UTC, so no session time zone is involved.
 */
final class MySqlLockTable extends LockTableDialect {

    private final String tryLockSql;

    MySqlLockTable(String table) {
        super(table);
        String expired = "expires_at <= " + now();
        this.tryLockSql = "INSERT INTO " + table + " (lock_key, lock_owner, expires_at, fencing_token)"
                + " VALUES (?, ?, " + nowPlusSeconds() + ", LAST_INSERT_ID(1))"
                + " ON DUPLICATE KEY UPDATE"
                + " lock_owner = IF(" + expired + ", ?, lock_owner),"
                + " fencing_token = IF(" + expired + ", LAST_INSERT_ID(fencing_token + 1),"
                + " fencing_token + LAST_INSERT_ID(0)),"
                + " expires_at = IF(" + expired + ", " + nowPlusSeconds() + ", expires_at)";
    }

    @Override
    String databaseName() {
        return "MySQL/MariaDB";
    }

    @Override
    String createTableSql() {
        return "CREATE TABLE IF NOT EXISTS " + table + " (\n"
                + "    lock_key      VARBINARY(255) NOT NULL PRIMARY KEY,\n"
                + "    lock_owner    VARBINARY(255) NOT NULL,\n"
                + "    expires_at    DATETIME(3)    NOT NULL,\n"
                + "    fencing_token BIGINT         NOT NULL\n"
                + ") ENGINE = InnoDB";
    }

    @Override
    long tryLock(JdbcClient jdbc, byte[] key, byte[] owner, int expireSeconds) {
        GeneratedKeyHolder insertId = new GeneratedKeyHolder();
        jdbc.sql(tryLockSql).param(key).param(owner).param(expireSeconds).param(owner).param(expireSeconds)
                .update(insertId);
        // MySQL Connector/J lists one key per affected row (2 for an update, counting on from the first): the first
        // is the insert id.
        List<Map<String, Object>> keys = insertId.getKeyList();
        if (keys.isEmpty() || keys.get(0).isEmpty()) {
            return FencedLockStore.NOT_ACQUIRED;
        }
        long token = ((Number) keys.get(0).values().iterator().next()).longValue();
        return token > 0 ? token : FencedLockStore.NOT_ACQUIRED;
    }

    @Override
    protected String now() {
        return "UTC_TIMESTAMP(3)";
    }

    @Override
    protected String nowPlusSeconds() {
        return "UTC_TIMESTAMP(3) + INTERVAL ? SECOND";
    }

    @Override
    protected String millisLeft() {
        return "TIMESTAMPDIFF(MICROSECOND, UTC_TIMESTAMP(3), expires_at) DIV 1000";
    }

    @Override
    protected String released() {
        return "'1970-01-01 00:00:00'";
    }
}
