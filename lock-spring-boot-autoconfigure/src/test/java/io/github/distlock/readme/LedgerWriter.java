package io.github.distlock.readme;

import java.math.BigDecimal;
import java.util.Map;

import io.github.distlock.api.LockOptions;
import io.github.distlock.core.LockTemplate;
import io.github.distlock.fencing.FencedRowUpdate;

import org.springframework.jdbc.core.simple.JdbcClient;

// The example of the README's "Fencing tokens" section: a row written only with a token at least the row's.
class LedgerWriter {

    private final LockTemplate lockTemplate;
    private final JdbcClient jdbcClient;

    LedgerWriter(LockTemplate lockTemplate, JdbcClient jdbcClient) {
        this.lockTemplate = lockTemplate;
        this.jdbcClient = jdbcClient;
    }

    BigDecimal setBalance(long id, BigDecimal newBalance) {
        FencedRowUpdate ledger = FencedRowUpdate.of(jdbcClient, "ledger", "id", "fence");  // fence: BIGINT, NULL = 0

        return lockTemplate.executeLocked("ledger:" + id, LockOptions.tryOnce(), lock -> {
            ledger.update(lock, id, Map.of("balance", newBalance));  // the token comes from the lock
            return newBalance;
        });
    }
}
