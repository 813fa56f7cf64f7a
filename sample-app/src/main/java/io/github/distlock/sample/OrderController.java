package io.github.distlock.sample;

import java.util.Map;

import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * {@code POST /orders/{id}/pay?amountCents=1999} pays an order once; concurrent and repeated requests get the same
 * payment back with {@code duplicate: true}, from any instance. {@code GET /orders/stats} shows this instance's
 * charges and that no two payments of one order ever ran at once in it. A payment that waited for the order's lock
 * longer than its wait time answers 409 Conflict as a problem detail (the library's handler).
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
        return ResponseEntity.of(payments.find(orderId));
    }

    @GetMapping("/orders/stats")
    public Map<String, Integer> stats() {
        return Map.of("charges", payments.charges(), "mostPaymentsInsideAtOnce", payments.mostInsideAtOnce());
    }
}
