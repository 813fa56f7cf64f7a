package io.github.distlock.sample;

import java.time.Instant;
import java.util.Map;
import java.util.Optional;

import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.stereotype.Component;

/** Payments as Redis hashes, {@code <application name>:payment:<order id>}, in the Redis the locks use. */
@Component
@ConditionalOnProperty(name = "sample.ledger.store", havingValue = "redis")
public class RedisLedger implements Ledger {

    private final StringRedisTemplate redis;
    private final String prefix;

    public RedisLedger(StringRedisTemplate redis, @Value("${spring.application.name}") String application) {
        this.redis = redis;
        this.prefix = application + ":payment:";
    }

    @Override
    public Optional<PaymentService.Payment> find(String orderId) {
        Map<Object, Object> fields = redis.opsForHash().entries(prefix + orderId);
        if (fields.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(new PaymentService.Payment(orderId, Long.parseLong((String) fields.get("amountCents")),
                (String) fields.get("reference"), Instant.parse((String) fields.get("paidAt")), false));
    }

    @Override
    public void record(PaymentService.Payment payment) {
        redis.opsForHash().putAll(prefix + payment.orderId(), Map.of("amountCents",
                Long.toString(payment.amountCents()), "reference", payment.reference(), "paidAt",
                payment.paidAt().toString()));
    }
}
