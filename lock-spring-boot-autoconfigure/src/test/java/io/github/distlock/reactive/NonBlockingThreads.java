package io.github.distlock.reactive;

import reactor.blockhound.BlockHound;
import reactor.core.scheduler.ReactorBlockHoundIntegration;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

/**
 * BlockHound, watching only the threads of {@link #scheduler()}: the tests' subscribers, timers and cancellations run
 * there, as a WebFlux application's run on Netty's event loop. Narrow on purpose: BlockHound stays installed for the
 * rest of the JVM, and must not fail tests of other code that runs later in the same surefire fork.
 */
public final class NonBlockingThreads {

    static final String PREFIX = "distlock-test-nonblocking";

    private NonBlockingThreads() {
    }

    /** Installs BlockHound, once per JVM (it ignores later calls). */
    public static synchronized void install() {
        // Reactor's integration for its allowances (an idle worker parks in its queue), then only our threads.
        BlockHound.builder()
                .with(new ReactorBlockHoundIntegration())
                .nonBlockingThreadPredicate(current -> thread -> thread.getName().startsWith(PREFIX))
                .install();
    }

    /** A parallel scheduler whose threads BlockHound watches; dispose it after use. */
    public static Scheduler scheduler() {
        return Schedulers.newParallel(PREFIX, 4, true);
    }
}
