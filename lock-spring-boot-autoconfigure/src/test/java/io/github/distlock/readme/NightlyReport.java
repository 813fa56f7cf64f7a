package io.github.distlock.readme;

import java.util.concurrent.atomic.AtomicInteger;

import io.github.distlock.annotation.DistributedLock;
import io.github.distlock.annotation.OnFailure;

import org.springframework.scheduling.annotation.Scheduled;

// The example of the README's "Scheduled jobs across instances": one instance runs each tick, the others skip it.
class NightlyReport {

    private final AtomicInteger runs = new AtomicInteger();

    @Scheduled(cron = "0 */5 * * * *")
    @DistributedLock(key = "'nightly-report'", onFailure = OnFailure.SKIP, expire = "10m", holdAtLeast = "1m")
    public void report() {
        runs.incrementAndGet();
    }

    int runs() {
        return runs.get();
    }
}
