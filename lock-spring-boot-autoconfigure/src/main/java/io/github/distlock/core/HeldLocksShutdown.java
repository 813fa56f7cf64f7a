package io.github.distlock.core;

import java.time.Duration;
import java.util.stream.Collectors;

import io.github.distlock.api.LockHandle;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import org.springframework.context.SmartLifecycle;

/**
 * Keeps the lock stores usable until the work that holds locks has released them, when the application context
 * closes.
 *
 * <p>Work may still hold a lock after the close began: a scheduled job or an {@code @Async} task that its executor
 * awaits, a web request under graceful shutdown, a gRPC call. Its Unlock needs the store's client, and some clients
 * stop in the lifecycle's stop phase (Spring Data Redis's {@code LettuceConnectionFactory} stops at phase 0), while
 * executors await their tasks only later, when their beans are destroyed. So this bean stops at {@link #PHASE}: after
 * the components that start such work (executors stop taking tasks when the close begins, web servers and listener
 * containers stop at higher phases), and before the store clients. Its stop waits until no lock of
 * {@link HeldLocks} is held, or the configured time has passed; locks still held then end with their leases.
 */
public class HeldLocksShutdown implements SmartLifecycle {

    /** Above 0, where Lettuce's connection factory stops; below executors, web servers and listener containers. */
    public static final int PHASE = 1024;

    private static final Log logger = LogFactory.getLog(HeldLocksShutdown.class);

    private final HeldLocks heldLocks;
    private final Duration timeout;
    private volatile boolean running;

    /**
     * @param timeout how long the stop waits for held locks to be released ({@code distributed-lock.shutdown-wait});
     *                zero does not wait
     */
    public HeldLocksShutdown(HeldLocks heldLocks, Duration timeout) {
        this.heldLocks = heldLocks;
        this.timeout = timeout;
    }

    @Override
    public void start() {
        running = true;
    }

    @Override
    public void stop() {
        running = false;
        int held = heldLocks.size();
        if (held == 0 || timeout.isZero()) {
            return;
        }
        logger.info("Waiting up to " + timeout.toMillis() + " ms for " + held + " held lock(s) to be released "
                + "before the lock stores stop");
        boolean released;
        try {
            released = heldLocks.awaitReleased(timeout);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            released = false;
        }
        if (!released) {
            logger.warn("Stopping with " + heldLocks.size() + " lock(s) still held after " + timeout.toMillis()
                    + " ms (" + heldLocks.snapshot().stream().map(HeldLocksShutdown::describe)
                    .collect(Collectors.joining(", ")) + "); they end with their leases. Raise "
                    + "distributed-lock.shutdown-wait to wait longer.");
        }
    }

    @Override
    public boolean isRunning() {
        return running;
    }

    @Override
    public int getPhase() {
        return PHASE;
    }

    private static String describe(LockHandle lock) {
        return "'" + lock.resourceId() + "' in store '" + lock.storeName() + "'";
    }
}
