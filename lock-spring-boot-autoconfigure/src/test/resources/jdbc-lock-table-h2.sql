-- The lock table as an application's own schema script creates it (spring.sql.init), H2 flavour of the README's DDL.
CREATE TABLE IF NOT EXISTS distributed_lock (
    lock_key      VARBINARY(255)              NOT NULL PRIMARY KEY,
    lock_owner    VARBINARY(255)              NOT NULL,
    expires_at    TIMESTAMP(3) WITH TIME ZONE NOT NULL,
    fencing_token BIGINT                      NOT NULL
);
