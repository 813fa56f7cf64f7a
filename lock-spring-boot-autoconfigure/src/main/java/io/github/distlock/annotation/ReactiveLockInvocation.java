package io.github.distlock.annotation;

import java.lang.reflect.Method;

import io.github.distlock.core.LockTemplate;
import io.github.distlock.reactive.ReactiveLockTemplate;
import org.aopalliance.intercept.MethodInvocation;
import org.reactivestreams.Publisher;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import org.springframework.aop.ProxyMethodInvocation;
import org.springframework.core.KotlinDetector;
import org.springframework.core.MethodParameter;
import org.springframework.core.ReactiveAdapter;
import org.springframework.core.ReactiveAdapterRegistry;

/**
 * A {@link ReturnKind#REACTIVE} method under its lock, through {@link ReactiveLockTemplate}: the method is invoked
 * on subscription, once the lock is taken (as Spring's reactive {@code @Transactional} does), so that a publisher
 * that is never subscribed takes no lock; SKIP completes empty. Loaded only when Reactor is on the classpath.
 *
 * <p>A Kotlin {@code suspend} function is one such method: Spring's AOP has the invocation return a {@code Mono}
 * running the coroutine (a {@code Flux} for a {@code Flow} result), and the proxy awaits what the interceptors return
 * in the caller's coroutine, passing its {@code ReactorContext} on. So the coroutine runs under the lock, sees it in
 * its {@code ReactorContext} ({@link io.github.distlock.reactive.ReactiveCurrentLock}), and a cancelled caller
 * cancels the subscription, which releases the lock.
 */
final class ReactiveLockInvocation {

    private final ReactiveLockTemplate template;

    ReactiveLockInvocation(LockTemplate template) {
        this.template = new ReactiveLockTemplate(template);
    }

    Object invoke(MethodInvocation invocation, LockOperation operation, String resourceId) {
        ReactiveAdapter adapter = adapter(invocation.getMethod());
        boolean skip = operation.onFailure == OnFailure.SKIP;
        if (adapter.isMultiValue()) {
            Flux<Object> locked = skip
                    ? template.executeLockedMany(resourceId, operation.options, lock -> body(invocation, adapter),
                            Flux.empty())
                    : template.executeLockedMany(resourceId, operation.options, lock -> body(invocation, adapter));
            return adapter.fromPublisher(locked);
        }
        Mono<Object> locked = skip
                ? template.executeLocked(resourceId, operation.options,
                        lock -> Mono.from(body(invocation, adapter)), Mono.empty())
                : template.executeLocked(resourceId, operation.options, lock -> Mono.from(body(invocation, adapter)));
        return adapter.fromPublisher(locked);
    }

    /** The adapter of what the invocation returns: Mono or Flux for a suspend function, as TransactionInterceptor. */
    private static ReactiveAdapter adapter(Method method) {
        Class<?> type = method.getReturnType();
        if (KotlinDetector.isSuspendingFunction(method)) {
            type = "kotlinx.coroutines.flow.Flow".equals(new MethodParameter(method, -1).getParameterType().getName())
                    ? Flux.class : Mono.class;
        }
        return ReactiveAdapterRegistry.getSharedInstance().getAdapter(type);
    }

    private static Publisher<Object> body(MethodInvocation invocation, ReactiveAdapter adapter) {
        Object result;
        try {
            // A clone per subscription: a resubscribed publisher (retry, repeat) runs the rest of the chain again.
            MethodInvocation once = invocation instanceof ProxyMethodInvocation proxied
                    ? proxied.invocableClone() : invocation;
            result = once.proceed();
        } catch (Throwable t) {
            return Flux.error(t);
        }
        @SuppressWarnings("unchecked")
        Publisher<Object> publisher = result == null ? Flux.empty() : (Publisher<Object>) adapter.toPublisher(result);
        return publisher;
    }
}
