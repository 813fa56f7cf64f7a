package io.github.distlock.annotation;

import java.lang.reflect.Method;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;

import io.github.distlock.core.LockCallback;
import io.github.distlock.core.LockTemplate;
import io.github.distlock.core.WorkScopedLocks;
import io.github.distlock.metrics.LockMetrics;
import org.aopalliance.intercept.MethodInterceptor;
import org.aopalliance.intercept.MethodInvocation;

import org.springframework.aop.support.AopUtils;
import org.springframework.beans.factory.BeanFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.context.expression.BeanFactoryResolver;
import org.springframework.core.annotation.AnnotatedElementUtils;
import org.springframework.expression.spel.support.StandardEvaluationContext;
import org.springframework.util.StringValueResolver;

/**
 * Runs a {@link DistributedLock} method under its lock through {@link LockTemplate}: the annotation is parsed once,
 * each call evaluates the key and hands the method to the template as the callback ({@code source=annotation} in
 * metrics), and "not acquired" becomes the annotation's {@link OnFailure}. A method returning a
 * {@code CompletableFuture}/{@code CompletionStage} holds the lock until the future completes
 * ({@link WorkScopedLocks}); one returning a reactive type holds it from the subscription until it terminates
 * ({@code ReactiveLockInvocation}).
 */
public class DistributedLockInterceptor implements MethodInterceptor {

    private final ObjectProvider<LockTemplate> templateProvider;
    private final Map<Method, LockOperation> operations = new ConcurrentHashMap<>();
    private volatile Runtime runtime;
    private volatile BeanFactory beanFactory;
    private volatile StringValueResolver placeholders;

    public DistributedLockInterceptor(ObjectProvider<LockTemplate> templateProvider) {
        this.templateProvider = templateProvider;
    }

    void setBeanFactory(BeanFactory beanFactory, StringValueResolver placeholders) {
        this.beanFactory = beanFactory;
        this.placeholders = placeholders;
    }

    /** Parses (and so checks) the annotation of {@code method}, once. */
    LockOperation operation(Method method, Class<?> targetClass) {
        LockOperation operation = operations.get(method);
        if (operation != null) {
            return operation;
        }
        Method specific = AopUtils.getMostSpecificMethod(method, targetClass);
        DistributedLock annotation = AnnotatedElementUtils.findMergedAnnotation(specific, DistributedLock.class);
        if (annotation == null) {
            annotation = AnnotatedElementUtils.findMergedAnnotation(method, DistributedLock.class);
        }
        if (annotation == null) {
            return null;
        }
        LockOperation parsed = LockOperation.parse(specific, annotation, placeholders);
        operations.putIfAbsent(method, parsed);
        operations.putIfAbsent(specific, parsed);
        return parsed;
    }

    Iterable<LockOperation> operations() {
        return operations.values();
    }

    @Override
    @SuppressWarnings("unchecked")
    public Object invoke(MethodInvocation invocation) throws Throwable {
        Object target = invocation.getThis();
        LockOperation operation = operation(invocation.getMethod(),
                target == null ? invocation.getMethod().getDeclaringClass() : AopUtils.getTargetClass(target));
        if (operation == null) {
            return invocation.proceed();
        }
        Runtime rt = runtime();
        String resourceId = operation.resourceId(target, invocation.getArguments(), rt::evaluationContext);
        if (operation.returnKind == ReturnKind.REACTIVE) {
            return rt.reactive().invoke(invocation, operation, resourceId);
        }
        if (operation.returnKind == ReturnKind.COMPLETION_STAGE) {
            return rt.workLocks.executeLocked(resourceId, operation.options,
                    lock -> (CompletionStage<Object>) invocation.proceed(),
                    operation.onFailure == OnFailure.SKIP ? () -> null : null);
        }
        LockCallback<Object, Throwable> proceed = lock -> invocation.proceed();
        return operation.onFailure == OnFailure.SKIP
                ? rt.template.executeLocked(resourceId, operation.options, proceed, operation.skipResult())
                : rt.template.executeLocked(resourceId, operation.options, proceed);
    }

    private Runtime runtime() {
        Runtime rt = runtime;
        if (rt == null) {
            synchronized (this) {
                rt = runtime;
                if (rt == null) {
                    rt = new Runtime(templateProvider.getObject().withMetricsSource(LockMetrics.SOURCE_ANNOTATION),
                            beanFactory == null ? null : new BeanFactoryResolver(beanFactory));
                    runtime = rt;
                }
            }
        }
        return rt;
    }

    /** What the interceptor needs from the context, resolved on first use so the post-processor stays light. */
    private static final class Runtime {

        final LockTemplate template;
        final WorkScopedLocks workLocks;
        final BeanFactoryResolver beanResolver;
        private volatile ReactiveLockInvocation reactive;

        Runtime(LockTemplate template, BeanFactoryResolver beanResolver) {
            this.template = template;
            this.workLocks = new WorkScopedLocks(template);
            this.beanResolver = beanResolver;
        }

        /** Made at the first reactive call: only then are Reactor's classes needed. */
        ReactiveLockInvocation reactive() {
            ReactiveLockInvocation invocation = reactive;
            if (invocation == null) {
                invocation = new ReactiveLockInvocation(template);
                reactive = invocation;
            }
            return invocation;
        }

        StandardEvaluationContext evaluationContext(LockKeyRoot root) {
            StandardEvaluationContext context = new StandardEvaluationContext(root);
            if (beanResolver != null) {
                context.setBeanResolver(beanResolver);
            }
            return context;
        }
    }
}
