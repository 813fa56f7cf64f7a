package io.github.distlock.annotation;

import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.Arrays;
import java.util.List;

import io.github.distlock.api.InvalidLockConfigurationException;

import org.springframework.aop.framework.AopProxyUtils;
import org.springframework.aop.support.AopUtils;

/**
 * Checks, once a bean is proxied, that its proxy intercepts every {@link DistributedLock} method of the bean: a
 * method the proxy cannot intercept would run without the lock, with no error. Judged on the proxy itself, so
 * whatever chose its kind (this starter's class proxies, {@code @Proxyable}, another post-processor's proxy):
 * <ul>
 * <li>a class (CGLIB) proxy intercepts the methods its generated subclass overrides: not static, private or final
 * ones, nor package-private ones of a superclass in another package; a final class cannot have one at all;</li>
 * <li>a JDK dynamic proxy intercepts only the methods of the interfaces it implements.</li>
 * </ul>
 */
final class ProxyReach {

    private ProxyReach() {
    }

    /**
     * @param proxy      the bean as proxied
     * @param targetClass the bean's own class
     * @param operations its {@link DistributedLock} methods
     * @throws InvalidLockConfigurationException naming the first method the proxy cannot intercept, and why
     */
    static void check(Object proxy, Class<?> targetClass, List<LockOperation> operations) {
        boolean jdk = AopUtils.isJdkDynamicProxy(proxy);
        Class<?>[] interfaces = jdk ? AopProxyUtils.proxiedUserInterfaces(proxy) : null;
        for (LockOperation operation : operations) {
            Method method = operation.method;
            boolean intercepted = jdk ? onInterface(method, interfaces, targetClass)
                    : overrides(proxy.getClass(), method);
            if (!intercepted) {
                throw notIntercepted(operation, targetClass, interfaces);
            }
        }
    }

    /** The error when no class proxy could be made of {@code targetClass}; {@code null} if not for being final. */
    static InvalidLockConfigurationException finalClass(Class<?> targetClass, List<LockOperation> operations) {
        if (!Modifier.isFinal(targetClass.getModifiers()) || operations.isEmpty()) {
            return null;
        }
        return new InvalidLockConfigurationException(operations.get(0).description, targetClass.getName()
                + " is a final class, and beans are proxied by a CGLIB subclass of their class, which a final class "
                + "cannot have; the method would run without the lock.",
                "Remove 'final' from the class, or have the bean proxied by its interfaces (@Proxyable(INTERFACES)) "
                        + "with the method declared on one of them.");
    }

    private static boolean overrides(Class<?> proxyClass, Method method) {
        try {
            return !Modifier.isStatic(proxyClass.getDeclaredMethod(method.getName(), method.getParameterTypes())
                    .getModifiers());
        } catch (NoSuchMethodException e) {
            return false;
        }
    }

    private static boolean onInterface(Method method, Class<?>[] interfaces, Class<?> targetClass) {
        for (Class<?> type : interfaces) {
            for (Method declared : type.getMethods()) {
                if (!Modifier.isStatic(declared.getModifiers())
                        && AopUtils.getMostSpecificMethod(declared, targetClass).equals(method)) {
                    return true;
                }
            }
        }
        return false;
    }

    private static InvalidLockConfigurationException notIntercepted(LockOperation operation, Class<?> targetClass,
            Class<?>[] interfaces) {
        Method method = operation.method;
        int modifiers = method.getModifiers();
        String unlocked = "; the method would run without the lock.";
        String problem;
        String action;
        if (Modifier.isStatic(modifiers)) {
            problem = "a static method is not called through the bean, so its proxy never sees the call" + unlocked;
            action = "Make it an instance method called through the bean, or lock with DistributedLockClient.";
        } else if (Modifier.isPrivate(modifiers)) {
            problem = "a private method cannot be called through the bean, so its proxy never sees the call" + unlocked;
            action = "Make it public (or protected) and call it through the bean.";
        } else if (interfaces != null) {
            problem = "the bean " + targetClass.getName() + " is proxied by a JDK dynamic proxy of "
                    + Arrays.stream(interfaces).map(Class::getName).toList() + " (from @Proxyable(INTERFACES), or "
                    + "from another proxy with spring.aop.proxy-target-class=false), which intercepts only interface "
                    + "methods, and none of those interfaces declares this one" + unlocked;
            action = "Declare the method on one of those interfaces, or have the bean proxied by class "
                    + "(@Proxyable(TARGET_CLASS)).";
        } else if (Modifier.isFinal(modifiers)) {
            problem = "a final method cannot be overridden by the CGLIB subclass that proxies "
                    + targetClass.getName() + ": a call runs on the proxy instance itself, without the lock, and "
                    + "sees the bean's injected fields as null.";
            action = "Remove 'final' from the method.";
        } else if (!Modifier.isPublic(modifiers) && !Modifier.isProtected(modifiers)) {
            problem = "a package-private method of package " + method.getDeclaringClass().getPackageName()
                    + " cannot be overridden by the CGLIB subclass that proxies " + targetClass.getName()
                    + ", which is generated in package " + targetClass.getPackageName()
                    + " (and in the class loader of " + targetClass.getSimpleName() + ")" + unlocked;
            action = "Make the method public or protected.";
        } else {
            problem = "the proxy of " + targetClass.getName() + " does not override it" + unlocked;
            action = "Make it a public, non-final instance method.";
        }
        return new InvalidLockConfigurationException(operation.description, problem, action);
    }
}
