package io.github.distlock.annotation;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

import io.github.distlock.api.OnLockLost;

import org.springframework.core.annotation.AliasFor;

/**
 * Runs the method only while this invocation holds a distributed lock.
 *
 * <p>Each call gets a fresh UUID as lock owner, calls TryLock before the method and Unlock after it, whether it
 * returns, throws or is interrupted. While the method runs, the lease is renewed ({@link #renewal()}) and a loss of
 * the lock is reported ({@link #onLockLost()}); a call on a key its thread already holds is reentrant
 * ({@link #reentrant()}). Applies to methods of Spring beans called through the bean; a call from the
 * same object, {@code this.method()}, is not intercepted and runs without the lock. The lock wraps every other proxy
 * advice of the bean, so a {@code @Transactional} method commits before its lock is released.
 *
 * <p>Beans are proxied by a CGLIB subclass of their class, which intercepts public, protected and package-private
 * methods. Startup fails ({@link io.github.distlock.api.InvalidLockConfigurationException}, naming the class, method
 * and reason) for a method the proxy can never intercept: a {@code final} method (it would run on the proxy
 * instance, unlocked, with the bean's injected fields {@code null}), a method of a {@code final} class, a
 * {@code static} or {@code private} method, a package-private method inherited from a superclass in another
 * package; and, when the bean is a JDK dynamic proxy of its interfaces ({@code @Proxyable(INTERFACES)}), a method
 * no proxied interface declares.
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
     *
     * <p>A value that is not a {@code String}, as the result or concatenated into it, becomes text by one rule: an
     * array (also of primitives) or collection gives its elements by this rule joined with {@code ,}
     * ({@code #ids} of {@code send("A-1", "A-2")} locks {@code }, as does {@code #root.args}); another value
     * gives what Spring's {@code DefaultConversionService} makes of it, else its {@code toString()}. A value whose
     * class has no {@code toString()} of its own (an identity hash, different per object) is refused: at startup
     * when the parameter's declared type is such a concrete class, else at the call, with
     * {@link IllegalArgumentException}. A key that evaluates to {@code null} or blank text, or fails to evaluate,
     * throws {@link IllegalArgumentException} naming the method and expression, and the method does not run.
     * Inside a concatenation a {@code null} is text: {@code 'order:' + #id} with a null {@code id} locks
     * {@code order:null}; to refuse it, use {@code #id} alone or
     * {@code 'order:' + T(java.util.Objects).requireNonNull(#id, 'id')}.
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

    /**
     * What to do when the lock is not acquired within {@link #waitTime()}. A skipped call ({@link OnFailure#SKIP}) is
     * logged at DEBUG and counted in {@code distributed.lock.skipped}.
     */
    OnFailure onFailure() default OnFailure.THROW;

    /**
     * Whether the lease is renewed (LockKeepAlive every third of {@link #expire()}) while the method runs, so that
     * {@code expire} only bounds how long a crashed holder keeps the lock. Off for all methods with
     * {@code distributed-lock.renewal.enabled=false}.
     */
    boolean renewal() default true;

    /**
     * Whether a call on a lock its thread already holds (another {@code @DistributedLock} method, or
     * {@code LockTemplate} call, with the same store and key, running around this one) runs at once under that lock,
     * without TryLock or Unlock of its own. When {@code false}, such a call fails at once with
     * {@link io.github.distlock.api.LockNotAcquiredException} instead of waiting for itself.
     */
    boolean reentrant() default true;

    /**
     * What the method's call does when its lock is lost while it runs (the loss is always logged, counted and
     * published as a {@link io.github.distlock.api.LockLostEvent}).
     */
    OnLockLost onLockLost() default OnLockLost.CONTINUE;

    /**
     * How long after its acquisition the lock is kept at least, for scheduled jobs on several instances (ShedLock's
     * lock-at-least-for): when the method ends sooner, the lock is not released, its lease is set to end this long
     * after the acquisition (LockKeepAlive to the rest, rounded up to whole seconds), so an instance whose schedule
     * fires a little later skips the run. A duration, at most {@link #expire()}; placeholders are resolved. Default:
     * none, the lock is released when the method ends.
     */
    String holdAtLeast() default "";
}
