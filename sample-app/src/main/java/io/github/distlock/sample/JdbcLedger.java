package io.github.distlock.sample;

import java.sql.Timestamp;
import java.util.Map;
import java.util.Optional;

import io.github.distlock.fencing.FencedRowUpdate;

import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

/**
 * Payments in a database table, by default an H2 file that every instance on this machine opens
 * ({@code AUTO_SERVER=TRUE}: the first process serves the others). One row per order: its payment (once paid) and
 * in {@code fence} the largest fencing token a write carried, checked by {@link FencedRowUpdate}.
 */
@Component
@ConditionalOnProperty(name = "sample.ledger.store", havingValue = "jdbc", matchIfMissing = true)
public class JdbcLedger implements Ledger {

    private final JdbcClient jdbc;
    private final FencedRowUpdate rows;

    public JdbcLedger(JdbcClient jdbc) {
        this.jdbc = jdbc;
        // A table of its own: ledger files of versions without fencing have a "payment" table without the column.
        jdbc.sql("""
                CREATE TABLE IF NOT EXISTS order_ledger (
                    order_id VARCHAR(200) PRIMARY KEY,
                    fence BIGINT,
                    amount_cents BIGINT,
                    reference VARCHAR(100),
                    paid_at TIMESTAMP(6) WITH TIME ZONE)
                """).update();
        this.rows = FencedRowUpdate.of(jdbc, "order_ledger", "order_id", "fence");
    }

    @Override
    public Optional<PaymentService.Payment> find(String orderId) {
        return jdbc.sql("SELECT order_id, amount_cents, reference, paid_at FROM order_ledger "
                        + "WHERE order_id = ? AND reference IS NOT NULL")
                .param(orderId)
                .query((row, number) -> new PaymentService.Payment(row.getString("order_id"),
                        row.getLong("amount_cents"), row.getString("reference"),
                        row.getTimestamp("paid_at").toInstant(), false))
                .optional();
    }

    @Override
    public void claim(String orderId, long fencingToken) {
        try {
            jdbc.sql("INSERT INTO order_ledger (order_id) VALUES (?)").param(orderId).update();
        } catch (DuplicateKeyException alreadyClaimed) {
            // An earlier holder's row: the fenced update below decides.
        }
        rows.update(fencingToken, orderId, Map.of());
    }

    @Override
    public void record(PaymentService.Payment payment, long fencingToken) {
        rows.update(fencingToken, payment.orderId(), Map.of("amount_cents", payment.amountCents(),
                "reference", payment.reference(), "paid_at", Timestamp.from(payment.paidAt())));
    }
}
