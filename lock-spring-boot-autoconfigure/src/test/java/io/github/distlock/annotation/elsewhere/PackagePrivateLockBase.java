package io.github.distlock.annotation.elsewhere;

import io.github.distlock.annotation.DistributedLock;

/**
 * A base class in another package than its subclass: the subclass's proxy, generated in the subclass's package, cannot
 * override {@link #run()}.
 */
public abstract class PackagePrivateLockBase {

    @DistributedLock
    void run() {
    }

    /** Callers in this package reach {@link #run()} through the bean. */
    public static void callRun(PackagePrivateLockBase bean) {
        bean.run();
    }
}
