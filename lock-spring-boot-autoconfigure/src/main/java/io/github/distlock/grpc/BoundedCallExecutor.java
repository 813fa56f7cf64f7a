package io.github.distlock.grpc;

import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The worker threads of the gRPC Lock API's calls to blocking stores: at most {@code maxConcurrentCalls} calls run
 * at once, and a call beyond that is refused at once ({@link #tryExecute} answers false) instead of being queued, so a
 * slow store cannot make requests pile up without limit.
 *
 * <p>Threads are made on demand and end after a minute idle, as in a cached thread pool; a call is handed straight
 * to an idle thread. A thread that has finished a call may still be on its way back when the next call comes, so
 * the pool may hold up to twice the bound in threads for a moment; the calls running at once never exceed it.
 */
final class BoundedCallExecutor implements AutoCloseable {

    private static final long IDLE_SECONDS = 60;

    private final int maxConcurrentCalls;
    private final Semaphore permits;
    private final ThreadPoolExecutor threads;

    /** @param maxConcurrentCalls how many calls may run at once, at least 1 */
    BoundedCallExecutor(int maxConcurrentCalls) {
        this(maxConcurrentCalls, "distlock-grpc-");
    }

    /** @param threadNamePrefix its threads are named this, a pool number, a dash and a thread number */
    BoundedCallExecutor(int maxConcurrentCalls, String threadNamePrefix) {
        if (maxConcurrentCalls < 1) {
            throw new IllegalArgumentException("maxConcurrentCalls must be at least 1, got " + maxConcurrentCalls);
        }
        this.maxConcurrentCalls = maxConcurrentCalls;
        this.permits = new Semaphore(maxConcurrentCalls);
        long maxThreads = 2L * maxConcurrentCalls;
        this.threads = new ThreadPoolExecutor(0, (int) Math.min(maxThreads, Integer.MAX_VALUE), IDLE_SECONDS,
                TimeUnit.SECONDS, new SynchronousQueue<>(), new Named(threadNamePrefix));
    }

    /** Runs {@code call} on a worker thread, or answers false at once when the bound is reached (or after close). */
    boolean tryExecute(Runnable call) {
        if (!permits.tryAcquire()) {
            return false;
        }
        try {
            threads.execute(() -> {
                try {
                    call.run();
                } finally {
                    permits.release();
                }
            });
            return true;
        } catch (RejectedExecutionException e) {
            permits.release();
            return false;
        }
    }

    int maxConcurrentCalls() {
        return maxConcurrentCalls;
    }

    /** Calls running now. */
    int running() {
        return maxConcurrentCalls - permits.availablePermits();
    }

    /** Takes no more calls; those running finish on their threads (the server's shutdown waits for them). */
    @Override
    public void close() {
        threads.shutdown();
    }

    private static final class Named implements ThreadFactory {

        private static final AtomicInteger POOLS = new AtomicInteger();

        private final String prefix;
        private final AtomicInteger count = new AtomicInteger();

        private Named(String prefix) {
            this.prefix = prefix + POOLS.incrementAndGet() + "-";
        }

        @Override
        public Thread newThread(Runnable task) {
            Thread thread = new Thread(task, prefix + count.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        }
    }
}
