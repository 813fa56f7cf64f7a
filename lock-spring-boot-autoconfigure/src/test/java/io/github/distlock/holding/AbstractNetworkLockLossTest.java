package io.github.distlock.holding;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

import io.github.distlock.api.LockHandle;
import io.github.distlock.api.LockLossCause;
import io.github.distlock.api.LockLostEvent;
import io.github.distlock.api.LockOptions;
import io.github.distlock.core.LockTemplate;
import io.github.distlock.spi.LockStore;
import io.github.distlock.testsupport.PausableTcpProxy;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * {@link AbstractLockLossTest}, and for a store over the network: the store paused (requests held, connection kept)
 * past the lease. Renewals then fail or get no answer, and the lock counts as lost when its lease, from the last
 * confirmation, is over by this JVM's clock: never sooner, within a tick and slack after.
 */
public abstract class AbstractNetworkLockLossTest extends AbstractLockLossTest {

    /** A store of the type under test that reaches its server through {@code proxy}; closed by the test. */
    protected abstract LockStore storeThrough(PausableTcpProxy proxy) throws Exception;

    /** The server's host and port, which the proxy relays to. */
    protected abstract String serverHost();

    protected abstract int serverPort();

    /** Closes a store of {@link #storeThrough}. */
    protected void close(LockStore store) throws Exception {
        if (store instanceof AutoCloseable closeable) {
            closeable.close();
        }
    }

    /** What a pause past the lease must give: the lease over, renewals failing since. */
    protected void assertLostToThePause(long lostAfterAcquiringMillis, long lostAfterPauseMillis,
            LockLostEvent event) {
        assertThat(lostAfterAcquiringMillis).as("ms from before the TryLock until lost: not before the lease")
                .isGreaterThanOrEqualTo(TimeUnit.SECONDS.toMillis(EXPIRE_SECONDS));
        assertThat(lostAfterPauseMillis).as("ms from the pause until lost: the lease from the last renewal")
                .isLessThan(TimeUnit.SECONDS.toMillis(EXPIRE_SECONDS) + 600);
        assertThat(event.cause()).isEqualTo(LockLossCause.STORE_FAILING);
        assertThat(event.detail()).contains("until its lease of 3s was over by this JVM's clock");
    }

    @Test
    void aStorePausedPastTheLeaseLosesTheLockWhenTheLeaseIsOver() throws Exception {
        try (PausableTcpProxy proxy = new PausableTcpProxy(serverHost(), serverPort())) {
            LockStore store = storeThrough(proxy);
            try {
                application(store).run(context -> {
                    LockTemplate locks = context.getBean(LockTemplate.class);
                    long beforeTryLock = System.nanoTime();
                    try (LockHandle lock = locks.acquire("paused", LockOptions.builder()
                            .expire(Duration.ofSeconds(EXPIRE_SECONDS)).build())) {
                        Thread.sleep(1500); // one renewal through, then the pause
                        long paused = System.nanoTime();
                        proxy.pause();
                        await().atMost(Duration.ofSeconds(EXPIRE_SECONDS + 3)).pollInterval(Duration.ofMillis(5))
                                .until(() -> !lock.isHeld());
                        long lost = System.nanoTime();
                        LossEvents losses = context.getBean(LossEvents.class);
                        await().atMost(Duration.ofSeconds(5)).until(() -> losses.events.size() == 1);
                        System.out.println(getClass().getSimpleName() + ": lost "
                                + TimeUnit.NANOSECONDS.toMillis(lost - paused) + " ms after the pause, "
                                + TimeUnit.NANOSECONDS.toMillis(lost - beforeTryLock) + " ms after the TryLock");
                        assertLostToThePause(TimeUnit.NANOSECONDS.toMillis(lost - beforeTryLock),
                                TimeUnit.NANOSECONDS.toMillis(lost - paused), losses.events.get(0));
                        proxy.resume();
                    }
                });
            } finally {
                proxy.resume();
                close(store);
            }
        }
    }
}
