package io.github.distlock.annotation;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import io.github.distlock.core.DistributedLockClient;
import io.github.distlock.core.LockTemplate;
import io.github.distlock.api.InvalidLockConfigurationException;

import org.springframework.aop.framework.AopConfigException;
import org.springframework.aop.framework.autoproxy.AbstractBeanFactoryAwareAdvisingPostProcessor;
import org.springframework.aop.support.AopUtils;
import org.springframework.aop.support.DefaultPointcutAdvisor;
import org.springframework.aop.support.annotation.AnnotationMatchingPointcut;
import org.springframework.beans.factory.BeanFactory;
import org.springframework.beans.factory.SmartInitializingSingleton;
import org.springframework.beans.factory.config.ConfigurableBeanFactory;
import org.springframework.core.MethodIntrospector;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.AnnotatedElementUtils;

/**
 * Proxies beans that have {@link DistributedLock} methods, and checks every such method while the context starts:
 * annotation attributes and that the proxy intercepts the method ({@link ProxyReach}) as each bean is created, store
 * names and {@code holdAtLeast} against the default lease once all beans exist.
 *
 * <p>The lock advice goes before any advice the bean already has, so the lock is the outermost layer (a
 * transaction commits while the lock is still held), but for advice of post-processors ordered after this one, such
 * as {@code @Async}'s: an {@code @Async} method is handed to its executor first, and takes its lock there.
 */
public class DistributedLockBeanPostProcessor extends AbstractBeanFactoryAwareAdvisingPostProcessor
        implements SmartInitializingSingleton {

    private final DistributedLockInterceptor interceptor;
    private BeanFactory beanFactory;
    /** The {@link DistributedLock} methods of each eligible class, parsed. */
    private final Map<Class<?>, List<LockOperation>> operationsByClass = new ConcurrentHashMap<>();

    public DistributedLockBeanPostProcessor(DistributedLockInterceptor interceptor) {
        this.interceptor = interceptor;
        this.advisor = new DefaultPointcutAdvisor(new AnnotationMatchingPointcut(null, DistributedLock.class, true),
                interceptor);
        setBeforeExistingAdvisors(true);
        // Before @Async's post-processor (LOWEST_PRECEDENCE), which then puts its advice around this one: an @Async
        // method takes its lock on the executor thread that runs its body, and holds it until its future completes.
        setOrder(Ordered.LOWEST_PRECEDENCE - 1);
        // As Spring Boot's default (spring.aop.proxy-target-class=true): beans stay injectable by their class.
        setProxyTargetClass(true);
    }

    @Override
    public void setBeanFactory(BeanFactory beanFactory) {
        super.setBeanFactory(beanFactory);
        this.beanFactory = beanFactory;
        interceptor.setBeanFactory(beanFactory, beanFactory instanceof ConfigurableBeanFactory configurable
                ? configurable::resolveEmbeddedValue : null);
    }

    @Override
    protected boolean isEligible(Class<?> targetClass) {
        boolean eligible = super.isEligible(targetClass);
        if (eligible) {
            // Parse every annotated method now, so a mistake stops startup instead of the first call.
            operationsByClass.computeIfAbsent(targetClass, type -> MethodIntrospector.selectMethods(type,
                            (MethodIntrospector.MetadataLookup<DistributedLock>) method ->
                                    AnnotatedElementUtils.findMergedAnnotation(method, DistributedLock.class))
                    .keySet().stream().map(method -> interceptor.operation(method, type)).toList());
        }
        return eligible;
    }

    /** Proxies the bean as the base class does, then checks that the proxy intercepts every locked method. */
    @Override
    public Object postProcessAfterInitialization(Object bean, String beanName) {
        Class<?> targetClass = AopUtils.getTargetClass(bean);
        Object result;
        try {
            result = super.postProcessAfterInitialization(bean, beanName);
        } catch (AopConfigException e) {
            InvalidLockConfigurationException finalClass = ProxyReach.finalClass(targetClass,
                    operationsByClass.getOrDefault(targetClass, List.of()));
            if (finalClass == null) {
                throw e;
            }
            finalClass.addSuppressed(e);
            throw finalClass;
        }
        List<LockOperation> operations = operationsByClass.get(targetClass);
        if (operations != null && AopUtils.isAopProxy(result)) {
            ProxyReach.check(result, targetClass, operations);
        }
        return result;
    }

    @Override
    public void afterSingletonsInstantiated() {
        DistributedLockClient client = beanFactory.getBean(DistributedLockClient.class);
        int defaultExpireSeconds = beanFactory.getBean(LockTemplate.class).defaultExpireSeconds();
        for (LockOperation operation : interceptor.operations()) {
            operation.checkHoldAtLeast(defaultExpireSeconds);
            String storeName = operation.options.storeName();
            if (!storeName.isEmpty() && !client.storeNames().contains(storeName)) {
                throw new InvalidLockConfigurationException(operation.description + " attribute 'store'",
                        "Store '" + storeName + "' is not configured.",
                        "Use one of " + client.storeNames() + " or configure distributed-lock.stores."
                                + storeName + ".");
            }
        }
    }
}
