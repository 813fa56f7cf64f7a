package io.github.distlock.annotation;

import io.github.distlock.core.LockTemplate;
import io.github.distlock.reactive.ReactiveLockTemplate;
import org.aopalliance.intercept.MethodInvocation;
import org.reactivestreams.Publisher;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import org.springframework.aop.ProxyMethodInvocation;
import org.springframework.core.ReactiveAdapter;
import org.springframework.core.ReactiveAdapterRegistry;

/**
 * A {@link ReturnKind#REACTIVE} method under its lock, through {@link ReactiveLockTemplate}: the method is invoked
 * on subscription, once the lock is taken (as Spring's reactive {@code @Transactional} does), so that a publisher
 * that is never subscribed takes no lock; SKIP completes empty. Loaded only when Reactor is on the classpath.
 */
final class ReactiveLockInvocation {

    private final ReactiveLockTemplate template;

    ReactiveLockInvocation(LockTemplate template) {
        this.template = new ReactiveLockTemplate(template);
    }

    Object invoke(MethodInvocation invocation, LockOperation operation, String resourceId) {
        ReactiveAdapter adapter = ReactiveAdapterRegistry.getSharedInstance()
                .getAdapter(invocation.getMethod().getReturnType());
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
