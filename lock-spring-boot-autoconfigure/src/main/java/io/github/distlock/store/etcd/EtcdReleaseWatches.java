package io.github.distlock.store.etcd;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;

import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.KV;
import io.etcd.jetcd.common.exception.ErrorCode;
import io.etcd.jetcd.common.exception.EtcdException;
import io.etcd.jetcd.options.WatchOption;
import io.etcd.jetcd.watch.WatchEvent;
import io.etcd.jetcd.watch.WatchResponse;
import io.github.distlock.waiting.ReleaseWaiters;
import io.grpc.Status;

/**
 * How the etcd store wakes its waiters: one etcd watch per waited key, shared by the key's waiters in this JVM. The
 * key is read first; the watch starts at the revision after that read, so a release between the two is delivered,
 * not missed. It reports deletes only: an Unlock, and the end of the holder's lease (etcd deletes the key when the
 * lease expires), so a holder that never unlocks wakes the waiters as its lock ends. Puts (a renewal moving the key
 * to another lease) do not.
 *
 * <p>jetcd runs each watch on a gRPC stream of its own, over the client's one connection. When a stream breaks (a
 * lost connection, a restarted member) the watch is lost and closed, and its waiters read the key and watch again
 * after a pause, for as long as etcd cannot be reached and the wait lasts; jetcd's own resumption is not waited for.
 *
 * <p>Threads: waiters arm; replies and watch events arrive on jetcd's threads.
 */
final class EtcdReleaseWatches extends ReleaseWaiters {

    private final KV kv;
    /** jetcd's watch client, named in full: in this class {@code Watch} is {@link ReleaseWaiters.Watch}. */
    private final io.etcd.jetcd.Watch watchClient;
    private final Function<String, ByteSequence> etcdKey;
    private final Duration requestTimeout;

    EtcdReleaseWatches(KV kv, io.etcd.jetcd.Watch watchClient, Function<String, ByteSequence> etcdKey,
            Duration requestTimeout) {
        super(System::nanoTime);
        this.kv = kv;
        this.watchClient = watchClient;
        this.etcdKey = etcdKey;
        this.requestTimeout = requestTimeout;
    }

    @Override
    protected void arm(String key, ReleaseWaiters.Watch watch) {
        ByteSequence stored = etcdKey.apply(key);
        kv.get(stored).orTimeout(requestTimeout.toMillis(), TimeUnit.MILLISECONDS).whenComplete((read, failure) -> {
            if (failure != null) {
                if (unreachable(failure)) {
                    watch.lost(); // read again after a pause, until etcd is back or the wait is over
                } else {
                    watch.failed(); // refused (permissions, say): the caller's TryLock tells
                }
                return;
            }
            if (read.getKvs().isEmpty()) {
                watch.released();
                return;
            }
            WatchOption fromAfterRead = WatchOption.builder().withRevision(read.getHeader().getRevision() + 1)
                    .withNoPut(true).build();
            io.etcd.jetcd.Watch.Watcher watcher;
            try {
                watcher = watchClient.watch(stored, fromAfterRead, new Listener(watch));
            } catch (RuntimeException e) {
                watch.failed(); // the client is closed
                return;
            }
            if (!watch.attach(watcher)) {
                watcher.close(); // its waiters left while the read was under way
                return;
            }
            watch.held(Long.MAX_VALUE); // the lease's end arrives as a delete
        });
    }

    @Override
    protected void disarm(String key, ReleaseWaiters.Watch watch) {
        if (watch.detach() instanceof io.etcd.jetcd.Watch.Watcher watcher) {
            watcher.close();
        }
    }

    /** Whether {@code failure} says etcd could not be reached or did not answer, rather than that it refused. */
    private static boolean unreachable(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof TimeoutException) {
                return true;
            }
            if (t instanceof EtcdException etcd && (etcd.getErrorCode() == ErrorCode.UNAVAILABLE
                    || etcd.getErrorCode() == ErrorCode.DEADLINE_EXCEEDED)) {
                return true;
            }
        }
        Status.Code code = Status.fromThrowable(failure).getCode();
        return code == Status.Code.UNAVAILABLE || code == Status.Code.DEADLINE_EXCEEDED;
    }

    /** The events of one watch. */
    private record Listener(ReleaseWaiters.Watch watch) implements io.etcd.jetcd.Watch.Listener {

        @Override
        public void onNext(WatchResponse response) {
            for (WatchEvent event : response.getEvents()) {
                if (event.getEventType() == WatchEvent.EventType.DELETE) {
                    watch.released();
                }
            }
        }

        @Override
        public void onError(Throwable failure) {
            // Ends the watch, and disarm closes it so that jetcd does not resume it; not on this thread, which holds
            // jetcd's watch lock and ends the stream itself after this call.
            CompletableFuture.runAsync(watch::lost);
        }

        @Override
        public void onCompleted() {
            watch.lost();
        }
    }
}
