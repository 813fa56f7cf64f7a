package io.github.distlock.annotation;

import java.lang.reflect.Method;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

import io.github.distlock.api.InvalidLockConfigurationException;

import org.springframework.core.KotlinDetector;
import org.springframework.core.ReactiveAdapterRegistry;
import org.springframework.util.ClassUtils;

/** How long the lock of a {@link DistributedLock} method is held, by what the method returns. */
enum ReturnKind {

    /** Until the method returns. */
    CALL,
    /** Until the returned {@code CompletionStage} completes. */
    COMPLETION_STAGE,
    /**
     * From the subscription to the returned publisher ({@code Mono}, {@code Flux}, Kotlin {@code Flow}, ...) until it
     * terminates; for a Kotlin {@code suspend} function, which Spring's AOP runs as a {@code Mono} (a {@code Flux}
     * when it returns a {@code Flow}), while the coroutine runs.
     */
    REACTIVE;

    static final boolean REACTOR_PRESENT = ClassUtils.isPresent("reactor.core.publisher.Flux",
            ReturnKind.class.getClassLoader());
    /** What Spring's AOP needs to run a suspend function as a publisher (AopUtils checks the same). */
    static final boolean COROUTINES_REACTOR_PRESENT = ClassUtils.isPresent("kotlinx.coroutines.reactor.MonoKt",
            ReturnKind.class.getClassLoader());

    /**
     * @throws InvalidLockConfigurationException for a reactive return type (one Spring's
     *                                           {@link ReactiveAdapterRegistry} knows) without Reactor on the classpath,
     *                                           or a Kotlin suspend function without kotlinx-coroutines-reactor
     */
    static ReturnKind of(Method method, String description) {
        if (KotlinDetector.isSuspendingFunction(method)) {
            if (!COROUTINES_REACTOR_PRESENT) {
                // Spring would call it as a plain method: the lock would end at the coroutine's first suspension.
                throw new InvalidLockConfigurationException(description, "It is a Kotlin suspend function, and the "
                        + "lock is held while its coroutine runs, which needs kotlinx-coroutines-reactor.",
                        "Add org.jetbrains.kotlinx:kotlinx-coroutines-reactor to the application's dependencies.");
            }
            return REACTIVE;
        }
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
