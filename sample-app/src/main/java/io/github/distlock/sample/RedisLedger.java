package io.github.distlock.sample;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import io.github.distlock.fencing.StaleFencingTokenException;

import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.data.redis.core.script.RedisScript;
import org.springframework.stereotype.Component;

/**
 * Payments as Redis hashes, {@code <application name>:payment:<order id>}, in the Redis the locks use: the payment's
 * fields and {@code fence}, the largest fencing token a write carried. Each write is {@link #FENCED_HSET}.
 */
@Component
@ConditionalOnProperty(name = "sample.ledger.store", havingValue = "redis")
public class RedisLedger implements Ledger {

    /**
     * Sets the field/value pairs {@code ARGV[2..]} and {@code fence = ARGV[1]} unless {@code fence} holds a larger
     * token; then replies that token and writes nothing, else replies nil. Tokens are compared as decimal strings
     * (longer is larger), exactly, where Lua's numbers would round above 2^53.
     */
    static final RedisScript<String> FENCED_HSET = RedisScript.of("""
            local seen = redis.call('HGET', KEYS[1], 'fence')
            if seen and (#seen > #ARGV[1] or (#seen == #ARGV[1] and seen > ARGV[1])) then return seen end
            redis.call('HSET', KEYS[1], 'fence', unpack(ARGV))
            return false
            """, String.class);

    private final StringRedisTemplate redis;
    private final String prefix;

    public RedisLedger(StringRedisTemplate redis, @Value("${spring.application.name}") String application) {
        this.redis = redis;
        this.prefix = application + ":payment:";
    }

    @Override
    public Optional<PaymentService.Payment> find(String orderId) {
        Map<Object, Object> fields = redis.opsForHash().entries(prefix + orderId);
        if (!fields.containsKey("reference")) {
            return Optional.empty();
        }
        return Optional.of(new PaymentService.Payment(orderId, Long.parseLong((String) fields.get("amountCents")),
                (String) fields.get("reference"), Instant.parse((String) fields.get("paidAt")), false));
    }

    @Override
    public void claim(String orderId, long fencingToken) {
        write(orderId, fencingToken);
    }

    @Override
    public void record(PaymentService.Payment payment, long fencingToken) {
        write(payment.orderId(), fencingToken, "amountCents", Long.toString(payment.amountCents()),
                "reference", payment.reference(), "paidAt", payment.paidAt().toString());
    }

    private void write(String orderId, long fencingToken, String... fieldsAndValues) {
        if (fencingToken <= 0) {
            throw new IllegalArgumentException("A fencing token is positive, not " + fencingToken);
        }
        String[] args = new String[fieldsAndValues.length + 1];
        args[0] = Long.toString(fencingToken);
        System.arraycopy(fieldsAndValues, 0, args, 1, fieldsAndValues.length);
        String key = prefix + orderId;
        String seen = redis.execute(FENCED_HSET, List.of(key), (Object[]) args);
        if (seen != null) {
            throw new StaleFencingTokenException("ledger " + key, fencingToken, Long.parseLong(seen));
        }
    }
}
