package io.github.distlock.annotation;

import java.lang.reflect.Method;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

import io.github.distlock.api.InvalidLockConfigurationException;

import org.springframework.core.ReactiveAdapterRegistry;
import org.springframework.util.ClassUtils;

/** How long the lock of a {@link DistributedLock} method is held, by what the method returns. */
enum ReturnKind {

    /** Until the method returns. */
    CALL,
    /** Until the returned {@code CompletionStage} completes. */
    COMPLETION_STAGE,
    /** From the subscription to the returned publisher ({@code Mono}, {@code Flux}, ...) until it terminates. */
    REACTIVE;

    static final boolean REACTOR_PRESENT = ClassUtils.isPresent("reactor.core.publisher.Flux",
            ReturnKind.class.getClassLoader());

    /**
     * @throws InvalidLockConfigurationException for a reactive return type (one Spring's
     *                                           {@link ReactiveAdapterRegistry} knows) without Reactor on the classpath
     */
    static ReturnKind of(Method method, String description) {
        Class<?> type = method.getReturnType();
        if (CompletionStage.class.isAssignableFrom(type)) {
            // A CompletableFuture subclass cannot be returned in its place: held for the call only.
            return type.isAssignableFrom(CompletableFuture.class) ? COMPLETION_STAGE : CALL;
        }
        if (type == void.class || type.isPrimitive()
                || ReactiveAdapterRegistry.getSharedInstance().getAdapter(type) == null) {
            return CALL;
        }
        if (!REACTOR_PRESENT) {
            throw new InvalidLockConfigurationException(description, "Its return type " + type.getName()
                    + " is reactive, and the lock is held while it runs, which needs Project Reactor.",
                    "Add io.projectreactor:reactor-core to the application's dependencies.");
        }
        return REACTIVE;
    }
}
