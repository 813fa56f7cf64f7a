package io.github.distlock.annotation;

import java.lang.reflect.Method;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

import io.github.distlock.core.DistributedLockClient;
import io.github.distlock.api.LockNotAcquiredException;
import io.github.distlock.api.LockStatus;
import io.github.distlock.api.LockStoreException;
import io.github.distlock.api.TryLockRequest;
import io.github.distlock.api.UnlockRequest;
import io.github.distlock.metrics.LockMetrics;
import io.github.distlock.spi.LockStore;
import io.github.distlock.spi.ReleaseAwaitingLockStore;
import org.aopalliance.intercept.MethodInterceptor;
import org.aopalliance.intercept.MethodInvocation;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import org.springframework.aop.support.AopUtils;
import org.springframework.beans.factory.BeanFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.context.expression.BeanFactoryResolver;
import org.springframework.core.annotation.AnnotatedElementUtils;
import org.springframework.expression.spel.support.StandardEvaluationContext;
import org.springframework.util.StringValueResolver;

/**
 * Runs a {@link DistributedLock} method under its lock: a fresh UUID owner per call, TryLock (retried within the
 * wait time), the method, then Unlock whatever happened; even a TryLock that failed with a store error is followed by
 * an Unlock, in case the store applied it.
 */
public class DistributedLockInterceptor implements MethodInterceptor {

    private static final Log logger = LogFactory.getLog(DistributedLockInterceptor.class);

    /** First pause between tries when the store cannot signal a release; doubles up to {@link #MAX_BACKOFF_NANOS}. */
    private static final long FIRST_BACKOFF_NANOS = TimeUnit.MILLISECONDS.toNanos(10);
    private static final long MAX_BACKOFF_NANOS = TimeUnit.MILLISECONDS.toNanos(200);
    /** Clean-up Unlocks queued at most; beyond that a store is down for good and leases end the locks. */
    private static final int CLEANUP_BACKLOG = 1024;

    private final ObjectProvider<DistributedLockClient> clientProvider;
    private final ObjectProvider<LockMetrics> metricsProvider;
    private final Duration defaultExpire;
    private final Map<Method, LockOperation> operations = new ConcurrentHashMap<>();
    private volatile Runtime runtime;
    private volatile BeanFactory beanFactory;
    private volatile StringValueResolver placeholders;
    /** Clean-up Unlocks after failed TryLocks: one daemon thread, gone when idle, a bounded backlog. */
    private final ThreadPoolExecutor cleanup = cleanupExecutor();

    /**
     * @param defaultExpire lease of annotations that set no expire ({@code distributed-lock.default-expire})
     */
    public DistributedLockInterceptor(ObjectProvider<DistributedLockClient> clientProvider,
            ObjectProvider<LockMetrics> metricsProvider, Duration defaultExpire) {
        this.clientProvider = clientProvider;
        this.metricsProvider = metricsProvider;
        this.defaultExpire = defaultExpire;
    }

    private static ThreadPoolExecutor cleanupExecutor() {
        ThreadPoolExecutor executor = new ThreadPoolExecutor(1, 1, 10, TimeUnit.SECONDS,
                new LinkedBlockingQueue<>(CLEANUP_BACKLOG), runnable -> {
                    Thread thread = new Thread(runnable, "distlock-unlock-after-failed-trylock");
                    thread.setDaemon(true);
                    return thread;
                });
        executor.allowCoreThreadTimeOut(true);
        return executor;
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
    public Object invoke(MethodInvocation invocation) throws Throwable {
        Object target = invocation.getThis();
        LockOperation operation = operation(invocation.getMethod(),
                target == null ? invocation.getMethod().getDeclaringClass() : AopUtils.getTargetClass(target));
        if (operation == null) {
            return invocation.proceed();
        }
        Runtime rt = runtime();
        String resourceId = operation.resourceId(target, invocation.getArguments(), rt::evaluationContext);
        String storeName = operation.storeName.isEmpty() ? rt.client.defaultStoreName() : operation.storeName;
        String owner = UUID.randomUUID().toString();
        int expire = operation.expireSeconds > 0 ? operation.expireSeconds : rt.defaultExpireSeconds;
        LockMetrics.Recorder recorder = rt.recorder(storeName);

        long start = System.nanoTime();
        boolean acquired;
        try {
            acquired = acquire(rt.client, operation, storeName, resourceId, owner, expire, start);
        } catch (LockStoreException e) {
            recorder.acquireFailed(System.nanoTime() - start);
            releaseAfterFailedTryLock(rt.client, storeName, resourceId, owner);
            throw e;
        } catch (RuntimeException | Error e) {
            recorder.acquireFailed(System.nanoTime() - start);
            throw e;
        }
        long lockedAt = System.nanoTime();
        if (!acquired) {
            recorder.notAcquired(lockedAt - start);
            if (operation.onFailure == OnFailure.SKIP) {
                return operation.skipResult();
            }
            throw new LockNotAcquiredException(resourceId, storeName, operation.waitNanos == 0
                    ? "another owner holds it" : "another owner held it for all of the wait time");
        }
        recorder.acquired(lockedAt - start);

        Throwable failure = null;
        try {
            return invocation.proceed();
        } catch (Throwable t) {
            failure = t;
            throw t;
        } finally {
            release(rt.client, recorder, storeName, resourceId, owner, lockedAt, failure);
        }
    }

    private boolean acquire(DistributedLockClient client, LockOperation operation, String storeName,
            String resourceId, String owner, int expire, long start) {
        TryLockRequest request = new TryLockRequest(storeName, resourceId, owner, expire);
        if (client.tryLock(request).success()) {
            return true;
        }
        if (operation.waitNanos == 0) {
            return false;
        }
        long deadline = start + operation.waitNanos;
        LockStore store = client.store(storeName);
        long backoff = FIRST_BACKOFF_NANOS;
        // Bounded by the deadline: every pass sleeps or waits until at most the deadline.
        while (true) {
            long remaining = deadline - System.nanoTime();
            if (remaining <= 0) {
                return false;
            }
            try {
                if (store instanceof ReleaseAwaitingLockStore awaiting) {
                    awaiting.awaitRelease(client.key(resourceId), Duration.ofNanos(remaining));
                } else {
                    // Jitter spreads contenders that all failed at the same moment.
                    long pause = Math.min(remaining, backoff / 2 + ThreadLocalRandom.current().nextLong(backoff / 2 + 1));
                    TimeUnit.NANOSECONDS.sleep(pause);
                    backoff = Math.min(MAX_BACKOFF_NANOS, backoff * 2);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new LockNotAcquiredException(resourceId, storeName, "interrupted while waiting", e);
            }
            if (client.tryLock(request).success()) {
                return true;
            }
        }
    }

    private void release(DistributedLockClient client, LockMetrics.Recorder recorder, String storeName,
            String resourceId, String owner, long lockedAt, Throwable failure) {
        // An interrupted thread still releases: clear the flag so blocking store clients do not refuse, then restore it.
        boolean interrupted = Thread.interrupted();
        try {
            LockStatus status = client.unlock(new UnlockRequest(storeName, resourceId, owner)).status();
            recorder.released(status, System.nanoTime() - lockedAt);
            if (status != LockStatus.SUCCESS) {
                logger.warn("Lock '" + resourceId + "' in store '" + storeName + "' was no longer held by this call when "
                        + "it finished (Unlock answered " + status + "): its lease expired while the method ran, so "
                        + "another owner may have run at the same time. Raise 'expire' above the method's longest run.");
            }
        } catch (RuntimeException e) {
            recorder.releaseFailed(System.nanoTime() - lockedAt);
            logger.warn("Lock '" + resourceId + "' in store '" + storeName + "' could not be released; it ends "
                    + "when its lease expires", e);
            if (failure != null) {
                failure.addSuppressed(e);
            }
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /**
     * A TryLock that failed with a store error (a timeout, a dropped connection) may still have been applied by the
     * server, leaving this call's lock held until its lease ends. The owner is this call's own UUID, so an Unlock
     * can only ever remove that lock. It is sent in the background, so the caller's failure is not delayed by a
     * second timeout against a store that is likely down; if the store is still unreachable it fails quietly and the
     * lease ends the lock as before.
     */
    private void releaseAfterFailedTryLock(DistributedLockClient client, String storeName, String resourceId,
            String owner) {
        try {
            cleanup.execute(() -> {
                try {
                    LockStatus status = client.unlock(new UnlockRequest(storeName, resourceId, owner)).status();
                    if (status == LockStatus.SUCCESS) {
                        logger.info("Lock '" + resourceId + "' in store '" + storeName + "': the TryLock that failed "
                                + "had taken it after all; released it");
                    }
                } catch (RuntimeException e) {
                    logger.debug("Lock '" + resourceId + "' in store '" + storeName + "': no clean-up Unlock after a "
                            + "failed TryLock; a lock it may have taken ends with its lease", e);
                }
            });
        } catch (RejectedExecutionException e) {
            logger.debug("Clean-up Unlocks are backed up; lock '" + resourceId + "' ends with its lease", e);
        }
    }

    private Runtime runtime() {
        Runtime rt = runtime;
        if (rt == null) {
            synchronized (this) {
                rt = runtime;
                if (rt == null) {
                    LockMetrics metrics = metricsProvider.getIfAvailable(() -> LockMetrics.NOOP);
                    rt = new Runtime(clientProvider.getObject(), metrics, (int) defaultExpire.getSeconds(),
                            beanFactory == null ? null : new BeanFactoryResolver(beanFactory));
                    runtime = rt;
                }
            }
        }
        return rt;
    }

    /** What the interceptor needs from the context, resolved on first use so the post-processor stays light. */
    private static final class Runtime {

        final DistributedLockClient client;
        final LockMetrics metrics;
        final int defaultExpireSeconds;
        final BeanFactoryResolver beanResolver;
        final Map<String, LockMetrics.Recorder> recorders = new ConcurrentHashMap<>();

        Runtime(DistributedLockClient client, LockMetrics metrics, int defaultExpireSeconds,
                BeanFactoryResolver beanResolver) {
            this.client = client;
            this.metrics = metrics;
            this.defaultExpireSeconds = defaultExpireSeconds;
            this.beanResolver = beanResolver;
        }

        LockMetrics.Recorder recorder(String storeName) {
            LockMetrics.Recorder recorder = recorders.get(storeName);
            return recorder != null ? recorder : recorders.computeIfAbsent(storeName,
                    name -> metrics.recorder(name, LockMetrics.SOURCE_ANNOTATION));
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
