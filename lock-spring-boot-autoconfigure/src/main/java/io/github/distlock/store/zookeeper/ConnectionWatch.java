package io.github.distlock.store.zookeeper;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;

import io.github.distlock.spi.LockLossReporting.LockLossListener;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.state.ConnectionState;
import org.apache.curator.framework.state.ConnectionStateListener;

/**
 * Follows the connection: when it is SUSPENDED or the session LOST, every lock held through it is reported lost (a
 * WARN naming the keys, {@link #lostLockCount()}, and each lock to the {@link LockLossListener}s), because while
 * disconnected the store cannot tell whether its session, and so its ephemeral nodes, survive. If the same session
 * comes back (RECONNECTED), the nodes of those locks are deleted so that nobody waits for their leases.
 *
 * <p>Threads: Curator's connection-state thread calls {@link #stateChanged} and the listeners; callers of the store
 * read the count and add or remove listeners.
 */
final class ConnectionWatch implements ConnectionStateListener {

    // Logs under the store's name, as before the store was split, so existing logging settings still apply.
    private static final Log logger = LogFactory.getLog(ZooKeeperLockStore.class);

    private final String storeName;
    private final HeldLocks book;
    private final NodeCleanup cleanup;
    private final AtomicLong lostLocks = new AtomicLong();
    private final List<LockLossListener> listeners = new CopyOnWriteArrayList<>();

    ConnectionWatch(String storeName, HeldLocks book, NodeCleanup cleanup) {
        this.storeName = storeName;
        this.book = book;
        this.cleanup = cleanup;
    }

    void addListener(LockLossListener listener) {
        listeners.add(listener);
    }

    void removeListener(LockLossListener listener) {
        listeners.remove(listener);
    }

    /** Locks reported lost since the start. */
    long lostLockCount() {
        return lostLocks.get();
    }

    @Override
    public void stateChanged(CuratorFramework client, ConnectionState state) {
        switch (state) {
            case SUSPENDED, LOST -> reportLost(state);
            case RECONNECTED -> cleanup.reconnected(); // only if the session survived and it is still that node
            default -> {
            }
        }
    }

    private void reportLost(ConnectionState state) {
        List<String> keys = new ArrayList<>();
        long sessionId = 0;
        List<Held> lost = book.dropAll();
        for (Held record : lost) {
            keys.add(record.key);
            sessionId = record.sessionId;
            cleanup.removeAfterReconnection(record); // removed after a reconnection, if the session survived
        }
        if (state == ConnectionState.LOST) {
            cleanup.sessionEnded();
        }
        if (!keys.isEmpty()) {
            lostLocks.addAndGet(keys.size());
            logger.warn("Lock store '" + storeName + "': ZooKeeper connection " + state + "; " + keys.size()
                    + " lock(s) held through session 0x" + Long.toHexString(sessionId)
                    + " are lost and must be taken again: " + keys);
            String reason = "ZooKeeper connection " + state + " (session 0x" + Long.toHexString(sessionId)
                    + "): its ephemeral node may be gone";
            for (Held record : lost) {
                tell(record, reason);
            }
        }
    }

    private void tell(Held record, String reason) {
        for (LockLossListener listener : listeners) {
            try {
                listener.lockLost(record.key, record.owner, reason);
            } catch (RuntimeException e) {
                logger.warn("Lock store '" + storeName + "': a lock loss listener failed", e);
            }
        }
    }
}
