package io.github.distlock.annotation;

import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import io.github.distlock.store.inmemory.InMemoryLockStoreAutoConfiguration;
import io.github.distlock.core.DistributedLockClient;
import io.github.distlock.api.TryLockRequest;
import io.github.distlock.autoconfigure.DistributedLockAutoConfiguration;
import io.github.distlock.spi.LockStore;
import io.github.distlock.annotation.elsewhere.PackagePrivateLockBase;
import io.github.distlock.store.inmemory.InMemoryLockStore;
import org.junit.jupiter.api.Test;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.autoconfigure.context.PropertyPlaceholderAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Proxyable;
import org.springframework.context.annotation.ProxyType;

import static io.github.distlock.testsupport.StartupFailures.invalidConfiguration;
import static org.assertj.core.api.Assertions.assertThat;

/** Annotation mistakes stop the application at startup, naming the class, method and attribute. */
class DistributedLockStartupErrorsTest {

    private final ApplicationContextRunner runner = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(DistributedLockAutoConfiguration.class,
                    InMemoryLockStoreAutoConfiguration.class));

    @Test
    void unparsableSpel() {
        assertStartupFails(BadSpel.class, "BadSpel.run(String)", "key", "not a valid SpEL expression");
    }

    @Test
    void unknownVariableInTheKey() {
        assertStartupFails(UnknownVariable.class, "UnknownVariable.run(String)", "#orderld", "#orderId");
    }

    @Test
    void badDuration() {
        assertStartupFails(BadDuration.class, "BadDuration.run()", "waitTime", "'soon' is not a duration");
    }

    @Test
    void anUnparsableExpireIsGivenExamplesInWholeSeconds() {
        runner.withBean(UnparsableExpire.class).run(context -> {
            assertThat(context).hasFailed();
            assertThat(invalidConfiguration(context.getStartupFailure()).getMessage())
                    .contains("UnparsableExpire.run()", "expire", "'30 sec' is not a duration", "\"30s\"")
                    .doesNotContain("ms\"");
        });
    }

    @Test
    void expireThatIsNotWholeSeconds() {
        assertStartupFails(FractionalExpire.class, "FractionalExpire.run()", "expire", "1500ms");
    }

    @Test
    void skipOnAPrimitiveReturnType() {
        assertStartupFails(SkipPrimitive.class, "SkipPrimitive.count()", "onFailure", "primitive type int");
    }

    @Test
    void unknownStore() {
        assertStartupFails(UnknownStore.class, "UnknownStore.run()", "'payments' is not configured", "[in-memory]");
    }

    @Test
    void aWaitTimeTooLongForNanosecondsIsRefused() {
        assertStartupFails(EndlessWait.class, "EndlessWait.run()", "waitTime", "'400000d' is too long");
    }

    @Test
    void placeholdersAreResolved() {
        AtomicLong clock = new AtomicLong();
        runner.withBean(WithPlaceholders.class).withPropertyValues("orders.lock-expire=7s")
                .withBean("in-memory", LockStore.class, () -> new InMemoryLockStore(clock::get)).run(context -> {
                    assertThat(context).hasNotFailed();
                    DistributedLockClient client = context.getBean(DistributedLockClient.class);
                    context.getBean(WithPlaceholders.class).run(() -> {
                        // The lease is the resolved 7s: still held just before, free at 7s.
                        clock.set(TimeUnit.MILLISECONDS.toNanos(6_999));
                        assertThat(client.tryLock(new TryLockRequest("", "placeholders", "other", 60)).success())
                                .isFalse();
                        clock.set(TimeUnit.SECONDS.toNanos(7));
                        assertThat(client.tryLock(new TryLockRequest("", "placeholders", "other", 60)).success())
                                .isTrue();
                    });
                });
        assertStartupFailsWith(runner.withBean(WithPlaceholders.class).withPropertyValues("orders.lock-expire=7.5s"),
                "WithPlaceholders.run(Runnable)", "expire");
    }

    @Test
    void aPlaceholderWithoutAValueNamesTheMethodAndAttribute() {
        // As in a Boot application: unresolvable placeholders are errors, not left as text.
        assertStartupFailsWith(runner.withConfiguration(AutoConfigurations.of(
                PropertyPlaceholderAutoConfiguration.class)).withBean(WithPlaceholders.class),
                "WithPlaceholders.run(Runnable)", "attribute 'expire'", "orders.lock-expire");
    }

    @Test
    void aKeyThatIsAParameterWhoseTypeHasNoToStringIsRefused() {
        assertStartupFails(IdentityKey.class, "IdentityKey.pay(PlainOrder)", "attribute 'key'", "= \"#order\"",
                PlainOrder.class.getName(), "Object.toString()", "#order.id");
        assertStartupFails(IdentityKeyConcatenated.class, "IdentityKeyConcatenated.pay(PlainOrder)",
                "= \"'order:' + #p0\"");
        assertStartupFails(IdentityKeyArray.class, "IdentityKeyArray.pay(PlainOrder[])", "= \"#orders\"");
        assertStartupFails(IdentityKeyList.class, "IdentityKeyList.pay(List)", "= \"#orders\"");
    }

    @Test
    void aParameterOfAnInterfaceOrObjectTypeIsLeftToTheFirstCall() {
        runner.withBean(UndecidableKey.class).run(context -> assertThat(context).hasNotFailed());
    }

    @Test
    void aFinalMethodCannotBeLocked() {
        // The reported case: a @Service with an injected field; the method ran unlocked, with that field null.
        assertStartupFailsWith(runner.withBean(Dependency.class).withBean(FinalMethod.class),
                FinalMethod.class.getName() + ".report(String)", "final", "CGLIB");
    }

    @Test
    void aStaticMethodCannotBeLocked() {
        assertStartupFails(StaticMethod.class, "StaticMethod.run()", "static");
    }

    @Test
    void aPrivateMethodCannotBeLocked() {
        assertStartupFails(PrivateMethod.class, "PrivateMethod.run()", "private");
    }

    @Test
    void aMethodOfAFinalClassCannotBeLocked() {
        assertStartupFails(FinalClass.class, FinalClass.class.getName() + ".run()", "final class", "CGLIB");
    }

    @Test
    void aFinalMethodImplementingAnAnnotatedInterfaceMethodCannotBeLockedByAClassProxy() {
        // The same bean is locked when proxied by its interface: DistributedLockAspectTest.
        assertStartupFails(DistributedLockAspectTest.FinalReports.class, "FinalReports.report(String)", "final",
                "CGLIB");
    }

    @Test
    void aPackagePrivateMethodInheritedFromAnotherPackageCannotBeLocked() {
        assertStartupFails(InheritsPackagePrivate.class, "PackagePrivateLockBase.run()",
                InheritsPackagePrivate.class.getName(), "package-private", "io.github.distlock.annotation.elsewhere");
    }

    @Test
    void aMethodOutsideTheInterfacesOfAJdkProxyCannotBeLocked() {
        assertStartupFailsWith(runner.withUserConfiguration(InterfaceProxied.class),
                "NotOnTheInterface.report(String)", "JDK", Runnable.class.getName());
    }

    private void assertStartupFails(Class<?> bean, String... fragments) {
        assertStartupFailsWith(runner.withBean(bean), fragments);
    }

    private static void assertStartupFailsWith(ApplicationContextRunner runner, String... fragments) {
        runner.run(context -> {
            assertThat(context).hasFailed();
            assertThat(invalidConfiguration(context.getStartupFailure()).getMessage()).contains("@DistributedLock")
                    .contains(fragments);
        });
    }

    public static class BadSpel {
        @DistributedLock(key = "'order:' + #orderId +")
        public void run(String orderId) {
        }
    }

    public static class UnknownVariable {
        @DistributedLock(key = "'order:' + #orderld")
        public void run(String orderId) {
        }
    }

    public static class BadDuration {
        @DistributedLock(waitTime = "soon")
        public void run() {
        }
    }

    public static class UnparsableExpire {
        @DistributedLock(expire = "30 sec")
        public void run() {
        }
    }

    public static class FractionalExpire {
        @DistributedLock(expire = "1500ms")
        public void run() {
        }
    }

    public static class SkipPrimitive {
        @DistributedLock(onFailure = OnFailure.SKIP)
        public int count() {
            return 1;
        }
    }

    public static class UnknownStore {
        @DistributedLock(store = "payments")
        public void run() {
        }
    }

    public static class WithPlaceholders {
        @DistributedLock(key = "'placeholders'", expire = "${orders.lock-expire}")
        public void run(Runnable inside) {
            inside.run();
        }
    }

    public static class EndlessWait {
        @DistributedLock(waitTime = "400000d")
        public void run() {
        }
    }

    /** No toString(): its string form is an identity hash, different for every object. */
    public static class PlainOrder {
        public String id() {
            return "A-1";
        }
    }

    public static class IdentityKey {
        @DistributedLock(key = "#order")
        public void pay(PlainOrder order) {
        }
    }

    public static class IdentityKeyConcatenated {
        @DistributedLock(key = "'order:' + #p0")
        public void pay(PlainOrder order) {
        }
    }

    public static class IdentityKeyArray {
        @DistributedLock(key = "#orders")
        public void pay(PlainOrder... orders) {
        }
    }

    public static class IdentityKeyList {
        @DistributedLock(key = "#orders")
        public void pay(List<PlainOrder> orders) {
        }
    }

    /** Startup cannot know these values' classes: an implementation or subclass may have its own toString(). */
    public static class UndecidableKey {
        @DistributedLock(key = "#order")
        public void pay(Object order) {
        }

        @DistributedLock(key = "'task:' + #task")
        public void run(Runnable task) {
        }

        @DistributedLock(key = "#orders")
        public void payAll(List<?> orders) {
        }

        @DistributedLock(key = "#order.id()")
        public void payById(PlainOrder order) {
        }

        /** Says that only subclasses with their own toString() are passed. */
        @DistributedLock(key = "#order.toString()")
        public void payBySubclassText(PlainOrder order) {
        }
    }

    public static class Dependency {
    }

    public static class FinalMethod {
        private final Dependency dependency;

        public FinalMethod(Dependency dependency) {
            this.dependency = dependency;
        }

        @DistributedLock(key = "'report:' + #id")
        public final String report(String id) {
            return id + dependency;
        }
    }

    public static class StaticMethod {
        @DistributedLock
        public static void run() {
        }
    }

    public static class PrivateMethod {
        @DistributedLock
        private void run() {
        }
    }

    public static final class FinalClass {
        @DistributedLock
        public void run() {
        }
    }

    public static class InheritsPackagePrivate extends PackagePrivateLockBase {
    }

    public static class NotOnTheInterface implements Runnable {
        @Override
        public void run() {
        }

        @DistributedLock(key = "'report:' + #id")
        public String report(String id) {
            return id;
        }
    }

    @Configuration(proxyBeanMethods = false)
    static class InterfaceProxied {
        @Bean
        @Proxyable(ProxyType.INTERFACES)
        NotOnTheInterface notOnTheInterface() {
            return new NotOnTheInterface();
        }
    }
}
