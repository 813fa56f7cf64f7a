package io.github.distlock.store.zookeeper;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;

/**
 * At most one of this store's version-checked writes per node path in flight at a time (Unlock, LockKeepAlive,
 * takeover, cleanup). A write with a version read earlier hits whatever node carries that version when it arrives,
 * and a re-created node starts again at version 0 (README, ZooKeeper "Why takeover-delay"). Two deletes of one node
 * from this store (a cleanup and its owner's Unlock, or two cleanups) could otherwise both be decided on the old
 * node; the first deletes it, a contender creates a new one, the second deletes that. Claimed one at a time, the
 * later one reads after the earlier one is answered (a session's requests are answered in order), so it sees the
 * node as it is.
 *
 * <p>Threads: callers of the store claim and wait (bounded by their operation's deadline); cleanups claim without
 * waiting and release on ZooKeeper's event thread. A claim is not reentrant: whoever holds one releases it before
 * another operation on the same path claims again.
 */
final class PathClaims {

    private final ConcurrentHashMap<String, CompletableFuture<Void>> claims = new ConcurrentHashMap<>();

    /** The claim of one path; {@link #close()} releases it (once). */
    final class Claim implements AutoCloseable {
        private final String path;
        private final CompletableFuture<Void> released;

        private Claim(String path, CompletableFuture<Void> released) {
            this.path = path;
            this.released = released;
        }

        @Override
        public void close() {
            claims.remove(path, released);
            released.complete(null);
        }
    }

    /**
     * Claims {@code path} and hands the claim to {@code action} (which must close it), now if the path is free, else
     * once the write in flight is answered, on the thread that releases it: for cleanups, which never wait.
     */
    void whenFree(String path, Consumer<Claim> action) {
        CompletableFuture<Void> mine = new CompletableFuture<>();
        CompletableFuture<Void> current = claims.putIfAbsent(path, mine);
        if (current == null) {
            action.accept(new Claim(path, mine));
        } else {
            current.thenRun(() -> whenFree(path, action));
        }
    }

    /**
     * Claims {@code path}, waiting for the write in flight to be answered.
     *
     * @param timeoutNanos the longest wait, in nanoseconds
     * @throws TimeoutException     when the path is still claimed after {@code timeoutNanos}
     * @throws InterruptedException when interrupted while waiting
     */
    Claim claim(String path, long timeoutNanos) throws TimeoutException, InterruptedException {
        long deadline = System.nanoTime() + timeoutNanos;
        while (true) {
            CompletableFuture<Void> mine = new CompletableFuture<>();
            CompletableFuture<Void> current = claims.putIfAbsent(path, mine);
            if (current == null) {
                return new Claim(path, mine);
            }
            try {
                current.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            } catch (ExecutionException e) {
                // never completed exceptionally; claim again
            }
        }
    }

    /** Paths claimed now, for tests. */
    int claimedCount() {
        return claims.size();
    }
}
