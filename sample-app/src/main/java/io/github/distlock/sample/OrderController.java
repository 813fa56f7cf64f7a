package io.github.distlock.sample;

import java.util.Map;

import io.github.distlock.api.LockNotAcquiredException;

import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * {@code POST /orders/{id}/pay?amountCents=1999} pays an order once; concurrent and repeated requests get the same
 * payment back with {@code duplicate: true}. {@code GET /orders/stats} shows that no two payments of one order
 * ever ran at once.
 */
@RestController
public class OrderController {

    private final PaymentService payments;

    public OrderController(PaymentService payments) {
        this.payments = payments;
    }

    @PostMapping("/orders/{orderId}/pay")
    public PaymentService.Payment pay(@PathVariable String orderId,
            @RequestParam(defaultValue = "1999") long amountCents) {
        return payments.pay(orderId, amountCents);
    }

    @GetMapping("/orders/{orderId}")
    public ResponseEntity<PaymentService.Payment> find(@PathVariable String orderId) {
        PaymentService.Payment payment = payments.find(orderId);
        return payment == null ? ResponseEntity.notFound().build() : ResponseEntity.ok(payment);
    }

    @GetMapping("/orders/stats")
    public Map<String, Integer> stats() {
        return Map.of("charges", payments.charges(), "mostPaymentsInsideAtOnce", payments.mostInsideAtOnce());
    }

    /** Another instance kept the order's lock for all of the wait time: ask the client to retry. */
    @ExceptionHandler(LockNotAcquiredException.class)
    public ResponseEntity<Map<String, String>> busy(LockNotAcquiredException e) {
        return ResponseEntity.status(HttpStatus.CONFLICT).body(Map.of("error", e.getMessage()));
    }
}
