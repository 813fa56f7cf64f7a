package io.github.distlock.store.zookeeper;

import java.util.OptionalLong;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.LongSupplier;

import io.github.distlock.waiting.ReleaseWaiters;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.state.ConnectionState;
import org.apache.curator.framework.state.ConnectionStateListener;
import org.apache.zookeeper.KeeperException.Code;
import org.apache.zookeeper.WatchedEvent;
import org.apache.zookeeper.Watcher;
import org.apache.zookeeper.ZooKeeper;
import org.apache.zookeeper.data.Stat;

/**
 * How the ZooKeeper store wakes its waiters: one data watch per waited lock node, set by {@code getData} (which reads
 * the node and sets the watch in one step, so no release between the two is missed) and shared by the key's waiters
 * in this JVM. {@code NodeDeleted} (an Unlock, the holder's timer at the lease's end, the end of the holder's session)
 * and {@code NodeDataChanged} (a renewal) wake them.
 *
 * <p>A holder that never deletes its node (alive but cut off from ZooKeeper) leaves it past its lease; a contender's
 * TryLock may take it over once the lease plus {@code takeover-delay} has passed by the ensemble's clock (README,
 * ZooKeeper "Expiry"). The node's data gives the lease and its {@code mtime} the lease's start, so the waiters wake at
 * that moment as {@link ServerClock} places it on this JVM's clock.
 *
 * <p>When the connection drops, ZooKeeper tells every watch (an event of type {@code None}): the watch is lost, the
 * waiters pause and set a new one; one set while disconnected is lost at once. Curator's reconnection cuts the pause
 * short. A watch that ended without firing (lost, or its last waiter gone) is removed from the client.
 *
 * <p>Threads: waiters arm; ZooKeeper's event thread delivers replies and events; Curator's connection-state thread
 * reports reconnections.
 */
final class ReleaseWatches extends ReleaseWaiters implements ConnectionStateListener {

    private final Requests requests;
    private final Function<String, String> pathFor;
    private final ServerClock serverClock;
    private final LongSupplier nanoClock;
    private final long takeoverDelayMillis;

    ReleaseWatches(Requests requests, Function<String, String> pathFor, ServerClock serverClock,
            LongSupplier nanoClock, long takeoverDelayMillis) {
        super(nanoClock);
        this.requests = requests;
        this.pathFor = pathFor;
        this.serverClock = serverClock;
        this.nanoClock = nanoClock;
        this.takeoverDelayMillis = takeoverDelayMillis;
    }

    @Override
    protected void arm(String key, ReleaseWaiters.Watch watch) {
        ZooKeeper zk = requests.connectedOrNull();
        if (zk == null) {
            watch.lost();
            return;
        }
        NodeWatch nodeWatch = new NodeWatch(zk, pathFor.apply(key), watch);
        zk.getData(nodeWatch.path, nodeWatch, (rc, path, ctx, data, stat) -> {
            switch (Code.get(rc)) {
                case OK -> {
                    if (!watch.attach(nodeWatch)) {
                        nodeWatch.remove(); // its waiters left while the read was under way
                    }
                    watch.held(wakeUpNanos(data, stat));
                }
                case NONODE -> watch.released(); // no watch is set on a missing node
                case CONNECTIONLOSS, SESSIONEXPIRED, SESSIONMOVED -> watch.lost();
                default -> watch.failed();
            }
        }, null);
    }

    @Override
    protected void disarm(String key, ReleaseWaiters.Watch watch) {
        if (watch.detach() instanceof NodeWatch nodeWatch && !nodeWatch.fired) {
            nodeWatch.remove();
        }
    }

    @Override
    public void stateChanged(CuratorFramework client, ConnectionState state) {
        if (state.isConnected()) {
            signalRestored();
        }
    }

    /**
     * When a contender may take the node over if nothing else happens first: its lease plus the takeover delay
     * after its {@code mtime}, by the ensemble's clock as the latest sample places it here. With no sample yet, that
     * long from now: late rather than early (the node was written before now).
     */
    private long wakeUpNanos(byte[] data, Stat stat) {
        LockNodeCodec.LockNode node = LockNodeCodec.parse(data);
        if (node == null) {
            return Long.MAX_VALUE; // not a lock node: it never expires
        }
        long afterWrite = node.leaseMillis() + takeoverDelayMillis;
        OptionalLong at = serverClock.nanosWhenReached(stat.getMtime() + afterWrite);
        return at.isPresent() ? at.getAsLong() : nanoClock.getAsLong() + TimeUnit.MILLISECONDS.toNanos(afterWrite);
    }

    /** The ZooKeeper watcher of one {@link ReleaseWaiters.Watch}. */
    private static final class NodeWatch implements Watcher {
        final ZooKeeper zk;
        final String path;
        final ReleaseWaiters.Watch watch;
        /** Set once ZooKeeper delivered a node event: the client dropped the watch itself. */
        volatile boolean fired;

        NodeWatch(ZooKeeper zk, String path, ReleaseWaiters.Watch watch) {
            this.zk = zk;
            this.path = path;
            this.watch = watch;
        }

        @Override
        public void process(WatchedEvent event) {
            if (event.getType() != Event.EventType.None) {
                fired = true;
                watch.released(); // deleted, or changed (renewed, or a new holder): the waiters look again
            } else if (event.getState() != Event.KeeperState.SyncConnected) {
                watch.lost(); // disconnected, expired, closed: what happened meanwhile may never be told
            }
        }

        /** Removes this watcher from the client (and from the server when connected); failures are of no account. */
        void remove() {
            try {
                zk.removeWatches(path, this, WatcherType.Data, true, (rc, p, ctx) -> {
                }, null);
            } catch (RuntimeException e) {
                // a closed client holds no watches
            }
        }
    }
}
