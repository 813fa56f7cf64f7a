package io.github.distlock.annotation;

import java.lang.reflect.Method;

/**
 * The root object of {@link DistributedLock#key()} expressions: {@code #root.method}, {@code #root.args},
 * {@code #root.target}.
 */
public final class LockKeyRoot {

    private final Method method;
    private final Object[] args;
    private final Object target;

    LockKeyRoot(Method method, Object[] args, Object target) {
        this.method = method;
        this.args = args;
        this.target = target;
    }

    public Method getMethod() {
        return method;
    }

    public Object[] getArgs() {
        return args;
    }

    public Object getTarget() {
        return target;
    }
}
