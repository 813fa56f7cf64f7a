package io.github.distlock.fencing;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.OptionalLong;
import java.util.regex.Pattern;

import io.github.distlock.api.LockHandle;

import org.springframework.dao.EmptyResultDataAccessException;
import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * Fencing on the resource side for a relational row: updates a row only when the writer's fencing token is at least
 * the one stored in the row's token column, and stores the writer's token with the new values, in one statement:
 * <pre>{@code UPDATE <table> SET <columns...>, <tokenColumn> = :token
 *  WHERE <idColumn> = :id AND COALESCE(<tokenColumn>, 0) <= :token}</pre>
 * A holder that was paused past its lease and resumes after another holder wrote gets a
 * {@link StaleFencingTokenException} instead of overwriting the newer data. The same token may write again
 * ({@code <=}), so a holder writes as often as it likes during one grant; a token is never handed out twice for one
 * lock key, so an equal token is the same grant. Guard a row with one lock key only: tokens of different keys are
 * not ordered against each other.
 *
 * <pre>{@code
 * FencedRowUpdate ledger = FencedRowUpdate.of(jdbcClient, "ledger", "id", "fence");
 * try (LockHandle lock = lockTemplate.lock("ledger:" + id, Duration.ofSeconds(30))) {
 *     ledger.update(lock, id, Map.of("balance", newBalance));
 * }
 * }</pre>
 * The token column is a {@code BIGINT}; {@code NULL} counts as 0 (never written under a lock). Requires
 * {@code spring-jdbc} on the classpath (an optional dependency of this library). Table and column names are written
 * into the SQL, so they are checked to be plain identifiers ({@code [A-Za-z_][A-Za-z0-9_]*}, dotted for a schema);
 * values always go as bind parameters. Thread-safe.
 */
public final class FencedRowUpdate {

    private static final Pattern IDENTIFIER = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*(\\.[A-Za-z_][A-Za-z0-9_]*)?");

    private final JdbcClient jdbc;
    private final String table;
    private final String idColumn;
    private final String tokenColumn;

    private FencedRowUpdate(JdbcClient jdbc, String table, String idColumn, String tokenColumn) {
        this.jdbc = jdbc;
        this.table = identifier(table, "table");
        this.idColumn = identifier(idColumn, "idColumn");
        this.tokenColumn = identifier(tokenColumn, "tokenColumn");
    }

    /**
     * @throws IllegalArgumentException when a name is not a plain identifier
     */
    public static FencedRowUpdate of(JdbcClient jdbc, String table, String idColumn, String tokenColumn) {
        return new FencedRowUpdate(jdbc, table, idColumn, tokenColumn);
    }

    /**
     * Updates row {@code id} with {@code values} under the fencing token of {@code lock}.
     *
     * @throws IllegalStateException        when the lock's store hands out no fencing tokens (nothing to fence
     *                                      with: use a store that does, every built-in one does)
     * @see #update(long, Object, Map)
     */
    public void update(LockHandle lock, Object id, Map<String, ?> values) {
        OptionalLong token = lock.fencingToken();
        if (token.isEmpty()) {
            throw new IllegalStateException("The lock of '" + lock.resourceId() + "' in store '"
                    + lock.storeName() + "' has no fencing token: its store does not hand them out");
        }
        update(token.getAsLong(), id, values);
    }

    /**
     * Updates row {@code id} with {@code values} (column name to value; may be empty, to record the token only) and
     * stores {@code token} in the token column, if the row's token is not larger than {@code token}.
     *
     * @param token the writer's fencing token, positive
     * @throws StaleFencingTokenException      when the row holds a larger token: the write was not applied
     * @throws EmptyResultDataAccessException  when there is no row {@code id}
     * @throws IllegalArgumentException        when {@code token} is not positive or a column name is not a plain
     *                                         identifier (or is the id or token column)
     */
    public void update(long token, Object id, Map<String, ?> values) {
        if (token <= 0) {
            throw new IllegalArgumentException("A fencing token is positive, not " + token);
        }
        StringBuilder sql = new StringBuilder("UPDATE ").append(table).append(" SET ");
        Map<String, Object> parameters = new LinkedHashMap<>();
        int index = 0;
        for (Map.Entry<String, ?> value : values.entrySet()) {
            String column = identifier(value.getKey(), "column");
            if (column.equalsIgnoreCase(idColumn) || column.equalsIgnoreCase(tokenColumn)) {
                throw new IllegalArgumentException("Column '" + column + "' is the id or token column; it is not "
                        + "set through values");
            }
            String parameter = "v" + index++;
            sql.append(column).append(" = :").append(parameter).append(", ");
            parameters.put(parameter, value.getValue());
        }
        sql.append(tokenColumn).append(" = :token WHERE ").append(idColumn).append(" = :id AND COALESCE(")
                .append(tokenColumn).append(", 0) <= :token");
        parameters.put("token", token);
        parameters.put("id", id);
        String update = sql.toString();
        for (int attempt = 1; ; attempt++) {
            if (jdbc.sql(update).params(parameters).update() == 1) {
                return;
            }
            // Refused or missing: read what the row holds. A refusing token only grows, so it is still larger.
            Long current = jdbc.sql("SELECT COALESCE(" + tokenColumn + ", 0) FROM " + table + " WHERE " + idColumn
                    + " = :id").param("id", id).query(Long.class).optional()
                    .orElseThrow(() -> new EmptyResultDataAccessException("No row " + idColumn + " = " + id
                            + " in " + table, 1));
            if (current > token) {
                throw new StaleFencingTokenException(table + " " + idColumn + " " + id, token, current);
            }
            if (attempt == 2) {
                // The row appeared between the two statements twice over: let the caller decide.
                throw new IllegalStateException("Row " + idColumn + " = " + id + " in " + table + " changed under "
                        + "the fenced update twice; nothing was written");
            }
        }
    }

    private static String identifier(String name, String what) {
        if (name == null || !IDENTIFIER.matcher(name).matches()) {
            throw new IllegalArgumentException(what + " must be a plain SQL identifier, not '" + name + "'");
        }
        return name;
    }
}
