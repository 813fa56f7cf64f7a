package io.github.distlock.sample;

import java.sql.Timestamp;
import java.util.Optional;

import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

/**
 * Payments in a database table, by default an H2 file that every instance on this machine opens
 * ({@code AUTO_SERVER=TRUE}: the first process serves the others).
 */
@Component
@ConditionalOnProperty(name = "sample.ledger.store", havingValue = "jdbc", matchIfMissing = true)
public class JdbcLedger implements Ledger {

    private final JdbcClient jdbc;

    public JdbcLedger(JdbcClient jdbc) {
        this.jdbc = jdbc;
        jdbc.sql("""
                CREATE TABLE IF NOT EXISTS payment (
                    order_id VARCHAR(200) PRIMARY KEY,
                    amount_cents BIGINT NOT NULL,
                    reference VARCHAR(100) NOT NULL,
                    paid_at TIMESTAMP(6) WITH TIME ZONE NOT NULL)
                """).update();
    }

    @Override
    public Optional<PaymentService.Payment> find(String orderId) {
        return jdbc.sql("SELECT order_id, amount_cents, reference, paid_at FROM payment WHERE order_id = ?")
                .param(orderId)
                .query((row, number) -> new PaymentService.Payment(row.getString("order_id"),
                        row.getLong("amount_cents"), row.getString("reference"),
                        row.getTimestamp("paid_at").toInstant(), false))
                .optional();
    }

    @Override
    public void record(PaymentService.Payment payment) {
        jdbc.sql("INSERT INTO payment (order_id, amount_cents, reference, paid_at) VALUES (?, ?, ?, ?)")
                .params(payment.orderId(), payment.amountCents(), payment.reference(),
                        Timestamp.from(payment.paidAt()))
                .update();
    }
}
