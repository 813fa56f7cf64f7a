package io.github.distlock.readme;

import java.time.Duration;

import io.github.distlock.annotation.DistributedLock;
import io.github.distlock.api.LockOptions;
import io.github.distlock.reactive.ReactiveCurrentLock;
import io.github.distlock.reactive.ReactiveLockTemplate;
import reactor.core.publisher.Mono;

import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RestController;

// The example of the README's "Async and reactive methods": a WebFlux endpoint whose work holds the lock.
@RestController
class StockReservations {

    private final ReactiveLockTemplate locks;

    StockReservations(ReactiveLockTemplate locks) {
        this.locks = locks;
    }

    // Locked from the subscription until the Mono completes, fails or is cancelled (the client went away).
    @PostMapping("/items/{sku}/reserve")
    @DistributedLock(key = "'stock:' + #sku", waitTime = "2s")
    public Mono<String> reserve(@PathVariable String sku) {
        return ReactiveCurrentLock.get()
                .map(lock -> "reserved " + sku + " with token " + lock.fencingToken().orElse(0));
    }

    // The same without the annotation, for a pipeline built in code.
    Mono<String> restock(String sku) {
        return locks.executeLocked("stock:" + sku, LockOptions.waitFor(Duration.ofSeconds(2)),
                lock -> Mono.just("restocked " + sku));
    }
}
