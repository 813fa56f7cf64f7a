package io.github.distlock.store.jdbc;

import java.util.Locale;

import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * The SQL of one database family for the lock table: one row per key, columns {@code lock_key}, {@code lock_owner}
 * (both binary, see {@link ColumnBytes}), {@code expires_at} (the lease's end by the database's clock) and
 * {@code fencing_token}.
 *
 * <p>Every time in a statement is the database server's current time, never the application's, so instances whose
 * clocks disagree still agree on every lease. A lease is live while {@code expires_at} is after the server's now.
 * Unlock does not delete the row: it sets {@code expires_at} to {@link #released()}, a time long past, so the row
 * (and its token counter) stays and is taken over like an expired one. Each statement touches one row by its
 * primary key and is atomic on its own under READ COMMITTED.
 */
abstract class LockTableDialect {

    /** The unquoted table name, validated by {@link LockTableName}. */
    protected final String table;

    protected LockTableDialect(String table) {
        this.table = table;
    }

    /**
     * The dialect for the product name JDBC reports ({@code DatabaseMetaData#getDatabaseProductName}), or
     * {@code null} when the database is not supported.
     */
    static LockTableDialect forProduct(String productName, String table, boolean notifyReleases) {
        String product = productName == null ? "" : productName.toLowerCase(Locale.ROOT);
        if (product.contains("postgresql")) {
            return new PostgresLockTable(table, notifyReleases);
        }
        if (product.contains("mysql") || product.contains("mariadb")) {
            return new MySqlLockTable(table);
        }
        if (product.equals("h2")) {
            return new H2LockTable(table);
        }
        return null;
    }

    /** The supported databases, for error messages. */
    static String supported() {
        return "PostgreSQL, MySQL, MariaDB and H2";
    }

    /** The database family, for messages and health details. */
    abstract String databaseName();

    /** {@code CREATE TABLE IF NOT EXISTS} for the lock table. */
    abstract String createTableSql();

    /**
     * Takes the key for {@code owner} if no live lease holds it, in one atomic statement.
     *
     * @return the fencing token of the grant, or {@link io.github.distlock.spi.FencedLockStore#NOT_ACQUIRED}
     */
    abstract long tryLock(JdbcClient jdbc, byte[] key, byte[] owner, int expireSeconds);

    /** Ends the live lease of {@code owner} on the key; returns whether there was one. */
    boolean unlock(JdbcClient jdbc, byte[] key, byte[] owner) {
        return jdbc.sql("UPDATE " + table + " SET expires_at = " + released()
                        + " WHERE lock_key = ? AND lock_owner = ? AND expires_at > " + now())
                .param(key).param(owner).update() > 0;
    }

    /**
     * Sets the live lease of {@code owner} on the key to end {@code expireSeconds} from now; returns whether the
     * statement changed it. MySQL may answer false when the new end equals the old one to the millisecond.
     */
    boolean keepAlive(JdbcClient jdbc, byte[] key, byte[] owner, int expireSeconds) {
        return jdbc.sql("UPDATE " + table + " SET expires_at = " + nowPlusSeconds()
                        + " WHERE lock_key = ? AND lock_owner = ? AND expires_at > " + now())
                .param(expireSeconds).param(key).param(owner).update() > 0;
    }

    /** The key's row as it is now: owner and milliseconds of lease left (zero or less: not held); null: no row. */
    Lease read(JdbcClient jdbc, byte[] key) {
        return jdbc.sql("SELECT lock_owner, " + millisLeft() + " FROM " + table + " WHERE lock_key = ?")
                .param(key)
                .query((rs, row) -> new Lease(rs.getBytes(1), rs.getLong(2)))
                .optional().orElse(null);
    }

    /**
     * The key's row for a waiter that is about to sleep until the lease ends or the key is released; null or not
     * {@link Lease#live() live}: free. A dialect whose Unlock notifies waiters also records here that someone waits.
     */
    Lease readWaiting(JdbcClient jdbc, byte[] key) {
        return read(jdbc, key);
    }

    /** Reads no row but fails unless the table and its columns exist. */
    String probeSql() {
        return "SELECT lock_key, lock_owner, expires_at, fencing_token FROM " + table + " WHERE 1 = 0";
    }

    /** The server's current time, as an SQL expression. */
    protected abstract String now();

    /** The server's current time plus one parameter's seconds, as an SQL expression. */
    protected abstract String nowPlusSeconds();

    /** Milliseconds from the server's now to {@code expires_at}, rounded up, as an SQL expression. */
    protected abstract String millisLeft();

    /** The {@code expires_at} of a released lock: a constant long past. */
    protected abstract String released();

    /**
     * A lock row as read.
     *
     * @param owner      the stored owner (see {@link ColumnBytes})
     * @param millisLeft lease left by the database's clock; zero or less when expired or released
     */
    record Lease(byte[] owner, long millisLeft) {

        boolean live() {
            return millisLeft > 0;
        }
    }
}
