package io.github.distlock.store.jdbc;

import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Threads waiting for a key's release, woken by release notifications ({@link PostgresReleaseListener}). While no
 * listener is connected, {@link Waiter#notified()} says so and waiters poll instead; when the listener's
 * connection is lost every waiter is woken, so none sleeps on a notification that cannot come.
 */
final class NotificationWaiters {

    private final ConcurrentHashMap<String, Set<Waiter>> byKey = new ConcurrentHashMap<>();
    private volatile boolean listening;

    /** Registers a waiter for the stored key; close it when done. Register before reading the lease. */
    Waiter register(byte[] storedKey) {
        Waiter waiter = new Waiter(HexFormat.of().formatHex(storedKey));
        byKey.compute(waiter.key, (key, waiters) -> {
            Set<Waiter> set = waiters == null ? new HashSet<>() : waiters;
            set.add(waiter);
            return set;
        });
        // Read after adding: a listener lost from now on wakes this waiter (it clears the flag, then wakes all).
        waiter.notified = listening;
        return waiter;
    }

    /** A release notification: wakes the waiters of the key, given as the hex of its stored bytes. */
    void released(String storedKeyHex) {
        Set<Waiter> waiters = byKey.remove(storedKeyHex);
        if (waiters != null) {
            waiters.forEach(Waiter::wake);
        }
    }

    /** Whether notifications arrive; on {@code false}, wakes every waiter. */
    void listening(boolean listening) {
        this.listening = listening;
        if (!listening) {
            List.copyOf(byKey.keySet()).forEach(this::released);
        }
    }

    boolean listening() {
        return listening;
    }

    /** Number of registered waiters; for tests. */
    int size() {
        return byKey.values().stream().mapToInt(Set::size).sum();
    }

    /** One thread's wait for one key. */
    final class Waiter implements AutoCloseable {

        private final String key;
        private final CountDownLatch woken = new CountDownLatch(1);
        private boolean notified;

        private Waiter(String key) {
            this.key = key;
        }

        /** Whether a release notification will wake this waiter (a listener was connected when it registered). */
        boolean notified() {
            return notified;
        }

        /** Waits until woken (returns true: a release notification, or the listener lost) or {@code millis} passed. */
        boolean await(long millis) throws InterruptedException {
            return woken.await(millis, TimeUnit.MILLISECONDS);
        }

        private void wake() {
            woken.countDown();
        }

        @Override
        public void close() {
            byKey.computeIfPresent(key, (k, waiters) -> {
                waiters.remove(this);
                return waiters.isEmpty() ? null : waiters;
            });
        }
    }
}
