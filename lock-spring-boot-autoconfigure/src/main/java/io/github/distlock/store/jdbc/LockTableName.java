package io.github.distlock.store.jdbc;

import java.util.regex.Pattern;

import io.github.distlock.api.InvalidLockConfigurationException;

/**
 * Checks the configured table name before it is written into SQL: an unquoted identifier, optionally qualified by
 * a schema ({@code locks.distributed_lock}), each part a letter or {@code _} then letters, digits and {@code _}, at
 * most 63 characters (PostgreSQL's limit). Nothing else can reach the statements, so the name cannot inject SQL.
 */
final class LockTableName {

    private static final Pattern IDENTIFIER = Pattern.compile("[A-Za-z_][A-Za-z0-9_]{0,62}");

    private LockTableName() {
    }

    /** Returns {@code name} when valid; otherwise throws naming {@code property}. */
    static String validate(String name, String property) {
        if (name == null || name.isBlank()) {
            throw new InvalidLockConfigurationException(property, "The lock table name is empty.",
                    "Set it to a table name such as distributed_lock, or remove it for that default.");
        }
        String[] parts = name.split("\\.", -1);
        boolean valid = parts.length <= 2;
        for (String part : parts) {
            valid &= IDENTIFIER.matcher(part).matches();
        }
        if (!valid) {
            throw new InvalidLockConfigurationException(property,
                    "'" + name + "' is not a plain SQL table name.",
                    "Use letters, digits and '_' (not first), at most 63 of them, optionally qualified by a "
                            + "schema as schema.table; quoted names are not supported.");
        }
        return name;
    }
}
