package io.github.distlock.readme;

import java.util.UUID;

import io.github.distlock.api.LockKeepAliveRequest;
import io.github.distlock.api.TryLockRequest;
import io.github.distlock.api.UnlockRequest;
import io.github.distlock.core.DistributedLockClient;

import org.springframework.stereotype.Service;

// The example of the README's "The Lock API in Java", compiled and run by ReadmeSnippetsTest; keep them equal.
@Service
public class StockSync {

    private final DistributedLockClient locks;

    public StockSync(DistributedLockClient locks) {
        this.locks = locks;
    }

    /** One TryLock, no waiting: false when another owner holds the item. Store "" is the default store. */
    public boolean syncItem(String sku) {
        String owner = UUID.randomUUID().toString();
        String resource = "stock:" + sku;
        if (!locks.tryLock(new TryLockRequest("", resource, owner, 30)).success()) {
            return false;
        }
        try {
            copyStock(sku);
            locks.keepAlive(new LockKeepAliveRequest("", resource, owner, 30)); // 30 s more, from now
            copyStock(sku);
        } finally {
            locks.unlock(new UnlockRequest("", resource, owner));
        }
        return true;
    }

    private void copyStock(String sku) {
        // The work that must not run twice at once for one item.
    }
}
