package io.github.distlock.reactive;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import io.github.distlock.api.LockHandle;
import reactor.core.publisher.Mono;
import reactor.util.context.Context;
import reactor.util.context.ContextView;

/**
 * The locks held by the reactive pipelines of {@link ReactiveLockTemplate} and of {@code @DistributedLock} methods
 * returning {@code Mono}/{@code Flux}, innermost first: what {@code CurrentLock} is for a thread, kept in the Reactor
 * {@link ContextView Context} of the locked work, since its operators may run on any thread. The fencing token of the
 * lock is {@link LockHandle#fencingToken()}.
 *
 * <pre>{@code
 * ReactiveCurrentLock.get().flatMap(lock -> ledger.write(entry, lock.fencingToken().getAsLong()))
 * }</pre>
 */
public final class ReactiveCurrentLock {

    /** The Context key; its value is the innermost {@link Held}, linked to the ones around it. */
    private static final Class<Held> KEY = Held.class;

    private ReactiveCurrentLock() {
    }

    /** The innermost lock of the pipeline this is subscribed in; empty outside locked work. */
    public static Mono<LockHandle> get() {
        return Mono.deferContextual(context -> Mono.justOrEmpty(from(context)));
    }

    /** The innermost lock in {@code context}, for code that has the Context at hand ({@code deferContextual}). */
    public static Optional<LockHandle> from(ContextView context) {
        Held held = context.getOrDefault(KEY, null);
        return held == null ? Optional.empty() : Optional.of(held.lock);
    }

    /**
     * The innermost lock in {@code context} on {@code resourceId} in {@code storeName} (the store's configured name;
     * the default store is not assumed for an empty name).
     */
    public static Optional<LockHandle> find(ContextView context, String storeName, String resourceId) {
        return Optional.ofNullable(held(context, storeName, resourceId));
    }

    /** Every lock in {@code context}, innermost first. */
    public static List<LockHandle> all(ContextView context) {
        List<LockHandle> locks = new ArrayList<>();
        for (Held held = context.getOrDefault(KEY, null); held != null; held = held.outer) {
            locks.add(held.lock);
        }
        return locks;
    }

    static LockHandle held(ContextView context, String storeName, String resourceId) {
        for (Held held = context.getOrDefault(KEY, null); held != null; held = held.outer) {
            if (held.lock.storeName().equals(storeName) && held.lock.resourceId().equals(resourceId)) {
                return held.lock;
            }
        }
        return null;
    }

    static Context with(Context context, LockHandle lock) {
        return context.put(KEY, new Held(lock, context.getOrDefault(KEY, null)));
    }

    private record Held(LockHandle lock, Held outer) {
    }
}
