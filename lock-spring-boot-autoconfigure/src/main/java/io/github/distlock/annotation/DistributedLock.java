package io.github.distlock.annotation;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

import org.springframework.core.annotation.AliasFor;

/**
 * Runs the method only while this invocation holds a distributed lock.
 *
 * <p>Each call gets a fresh UUID as lock owner, calls TryLock before the method and Unlock after it, whether it
 * returns, throws or is interrupted. Applies to public methods of Spring beans called through the bean (a call
 * from the same object, {@code this.method()}, is not intercepted). The lock wraps every other proxy advice of the
 * bean, so a {@code @Transactional} method commits before its lock is released.
 *
 * <pre>{@code
 * @DistributedLock(key = "'order:' + #orderId", expire = "30s", waitTime = "2s")
 * public void pay(String orderId) { ... }
 * }</pre>
 *
 * Every attribute is checked at startup; a mistake stops the application with the class and method named. The lock is
 * taken through {@link io.github.distlock.core.LockTemplate}, and is
 * {@link io.github.distlock.core.CurrentLock#get()} while the method runs.
 */
@Target(ElementType.METHOD)
@Retention(RetentionPolicy.RUNTIME)
@Documented
public @interface DistributedLock {

    /** Alias for {@link #key()}. */
    @AliasFor("key")
    String value() default "";

    /**
     * The resource id, as a SpEL expression over the method's arguments: by name ({@code #orderId}, needs the
     * {@code -parameters} compiler flag, which Spring Boot's build plugins set), or by position ({@code #p0},
     * {@code #a0}); {@code #root.method}, {@code #root.target} and {@code #root.args} are available too, and bean
     * references as {@code @beanName}. Default: the declaring class and method name, {@code com.example.Orders.pay}.
     */
    @AliasFor("value")
    String key() default "";

    /**
     * Lease of the lock: a duration ({@code 30s}, {@code 1m}, {@code PT30S}; a bare number means seconds), whole
     * seconds, at least one. Placeholders ({@code ${orders.lock-expire}}) are resolved. Default:
     * {@code distributed-lock.default-expire}.
     */
    String expire() default "";

    /**
     * How long to wait for a lock another owner holds. {@code 0s}: one TryLock. Longer: try again until acquired
     * or the time is up. Placeholders are resolved.
     */
    String waitTime() default "0s";

    /** Name of the store ({@code distributed-lock.stores.<name>}); empty means the default store. */
    String store() default "";

    /** What to do when the lock is not acquired within {@link #waitTime()}. */
    OnFailure onFailure() default OnFailure.THROW;
}
