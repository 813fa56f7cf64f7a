package io.github.distlock.kotlin

import io.github.distlock.annotation.DistributedLock
import io.github.distlock.annotation.OnFailure
import io.github.distlock.api.LockHandle
import io.github.distlock.api.LockNotAcquiredException
import io.github.distlock.api.LockOptions
import io.github.distlock.autoconfigure.DistributedLockAutoConfiguration
import io.github.distlock.core.LockTemplate
import io.github.distlock.reactive.ReactiveCurrentLock
import io.github.distlock.spi.LockStore
import java.time.Duration
import java.util.concurrent.atomic.AtomicInteger
import java.util.function.Supplier
import kotlinx.coroutines.CompletableDeferred
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.async
import kotlinx.coroutines.awaitCancellation
import kotlinx.coroutines.cancelAndJoin
import kotlinx.coroutines.coroutineScope
import kotlinx.coroutines.currentCoroutineContext
import kotlinx.coroutines.delay
import kotlinx.coroutines.flow.Flow
import kotlinx.coroutines.flow.flow
import kotlinx.coroutines.flow.toList
import kotlinx.coroutines.launch
import kotlinx.coroutines.reactor.ReactorContext
import kotlinx.coroutines.reactor.awaitSingleOrNull
import kotlinx.coroutines.runBlocking
import kotlinx.coroutines.withTimeout
import org.assertj.core.api.Assertions.assertThat
import org.assertj.core.api.Assertions.catchThrowable
import org.awaitility.Awaitility.await
import org.junit.jupiter.api.Test
import org.junit.jupiter.api.Timeout
import org.springframework.boot.autoconfigure.AutoConfigurations
import org.springframework.boot.test.context.runner.ApplicationContextRunner

/** What Kotlin code without a Reactor operator at hand reads: the Reactor Context the coroutine carries. */
private suspend fun lockInReactorContext(): LockHandle? =
    currentCoroutineContext()[ReactorContext]?.context?.let { ReactiveCurrentLock.from(it).orElse(null) }

/**
 * `@DistributedLock` on Kotlin `suspend` functions and on functions returning a `Flow`, in a Spring Boot context on
 * a real store: the lock is held while the coroutine runs (while the flow is collected), not while the call returns.
 */
@Timeout(180)
abstract class AbstractLockedSuspendFunctionsTest {

    /** A store on the test server; a fresh one per context. */
    protected abstract fun store(): Supplier<LockStore>

    private fun runner(): ApplicationContextRunner = ApplicationContextRunner()
        .withConfiguration(AutoConfigurations.of(DistributedLockAutoConfiguration::class.java))
        .withBean("main", LockStore::class.java, store())
        .withBean(Inner::class.java)
        .withBean(Jobs::class.java)

    @Test
    fun sixteenConcurrentCallsOfALockedSuspendFunctionNeverOverlap() {
        runner().run { context ->
            val jobs = context.getBean(Jobs::class.java)
            runBlocking {
                withTimeout(120_000) {
                    coroutineScope { repeat(16) { launch(Dispatchers.Default) { jobs.step() } } }
                }
            }
            assertThat(jobs.steps()).isEqualTo(16)
            assertThat(jobs.maxInside()).isEqualTo(1)
        }
    }

    @Test
    fun cancellingTheCallingCoroutineReleasesTheLockAtOnce() {
        runner().run { context ->
            val jobs = context.getBean(Jobs::class.java)
            val template = context.getBean(LockTemplate::class.java)
            runBlocking {
                val started = CompletableDeferred<Unit>()
                val caller = launch(Dispatchers.Default) { jobs.untilCancelled(started) }
                withTimeout(60_000) { started.await() }
                assertThat(template.tryAcquire("until-cancelled", LockOptions.tryOnce())).isEmpty()
                caller.cancelAndJoin()
            }
            // The lease is 300 s: getting the lock within 30 s means the cancellation released it.
            template.acquire("until-cancelled", LockOptions.waitFor(Duration.ofSeconds(30))).use { lock ->
                assertThat(lock.isHeld).isTrue()
            }
            // The cancellation reached the coroutine of the function, too.
            await().atMost(Duration.ofSeconds(30)).until { jobs.cancelled() == 1 }
        }
    }

    @Test
    fun anExceptionReachesTheCallerAfterTheLockIsReleased() {
        runner().run { context ->
            val jobs = context.getBean(Jobs::class.java)
            val template = context.getBean(LockTemplate::class.java)
            val thrown = catchThrowable { runBlocking { jobs.failing() } }
            assertThat(thrown).isInstanceOf(IllegalStateException::class.java).hasMessage("boom")
            val free = template.tryAcquire("failing", LockOptions.tryOnce())
            assertThat(free).isPresent()
            free.get().release()
        }
    }

    @Test
    fun whenAnotherOwnerHoldsTheLockSkipReturnsNullAndThrowThrows() {
        runner().run { context ->
            val jobs = context.getBean(Jobs::class.java)
            val template = context.getBean(LockTemplate::class.java)
            template.acquire("held-elsewhere", LockOptions.tryOnce()).use { other ->
                assertThat(other.isHeld).isTrue()
                assertThat(runBlocking { jobs.skippable() }).isNull()
                runBlocking { jobs.skippableUnit() } // returns, without running
                val thrown = catchThrowable { runBlocking { jobs.throwing() } }
                assertThat(thrown).isInstanceOf(LockNotAcquiredException::class.java)
                assertThat(jobs.calls()).isZero()
            }
            assertThat(runBlocking { jobs.skippable() }).isEqualTo("ran")
            runBlocking { jobs.skippableUnit() }
            runBlocking { jobs.throwing() }
            assertThat(jobs.calls()).isEqualTo(3)
        }
    }

    @Test
    fun theCoroutineSeesItsLockAndFencingTokenAndNestedCallsAreReentrant() {
        runner().run { context ->
            val jobs = context.getBean(Jobs::class.java)
            val seen = runBlocking { jobs.seen("42") }
            assertThat(seen.viaMono?.resourceId()).isEqualTo("order:42")
            assertThat(seen.viaContext).isSameAs(seen.viaMono)
            assertThat(seen.viaMono?.fencingToken()?.isPresent).isTrue()
            // The inner function locks the same key without waiting: it ran under the outer lock.
            assertThat(seen.inner).isSameAs(seen.viaMono)
            assertThat(runBlocking { ReactiveCurrentLock.get().awaitSingleOrNull() }).isNull()
        }
    }

    @Test
    fun aLockedFlowHoldsTheLockWhileItIsCollected() {
        runner().run { context ->
            val jobs = context.getBean(Jobs::class.java)
            val template = context.getBean(LockTemplate::class.java)
            runBlocking {
                val started = CompletableDeferred<Unit>()
                val gate = CompletableDeferred<Unit>()
                val rows = jobs.rows(started, gate)
                // Not collected yet: no lock taken.
                template.tryAcquire("rows", LockOptions.tryOnce()).orElseThrow().release()
                val collected = async(Dispatchers.Default) { rows.toList() }
                withTimeout(60_000) { started.await() }
                assertThat(template.tryAcquire("rows", LockOptions.tryOnce())).isEmpty()
                gate.complete(Unit)
                // The second element says whether the flow saw its lock in its ReactorContext.
                assertThat(withTimeout(60_000) { collected.await() }).containsExactly(1, 2)
            }
            template.tryAcquire("rows", LockOptions.tryOnce()).orElseThrow().release()
        }
    }

    class Seen(val viaMono: LockHandle?, val viaContext: LockHandle?, val inner: LockHandle?)

    open class Inner {
        @DistributedLock(key = "'order:' + #orderId")
        open suspend fun current(orderId: String): LockHandle? {
            delay(1)
            return ReactiveCurrentLock.get().awaitSingleOrNull()
        }
    }

    open class Jobs(private val inner: Inner) {

        private val inside = AtomicInteger()
        private val maxInside = AtomicInteger()
        private val steps = AtomicInteger()
        private val calls = AtomicInteger()
        private val cancelled = AtomicInteger()

        // Read through these: the bean is a CGLIB proxy, whose own fields are not the target's.
        open fun maxInside() = maxInside.get()
        open fun steps() = steps.get()
        open fun calls() = calls.get()
        open fun cancelled() = cancelled.get()

        @DistributedLock(key = "'suspend-step'", waitTime = "60s")
        open suspend fun step() {
            maxInside.accumulateAndGet(inside.incrementAndGet(), Math::max)
            delay(20)
            inside.decrementAndGet()
            steps.incrementAndGet()
        }

        @DistributedLock(key = "'until-cancelled'", expire = "300s")
        open suspend fun untilCancelled(started: CompletableDeferred<Unit>) {
            started.complete(Unit)
            try {
                awaitCancellation()
            } finally {
                cancelled.incrementAndGet()
            }
        }

        @DistributedLock(key = "'failing'")
        open suspend fun failing(): String {
            delay(10)
            throw IllegalStateException("boom")
        }

        @DistributedLock(key = "'held-elsewhere'", onFailure = OnFailure.SKIP)
        open suspend fun skippable(): String? {
            delay(1)
            calls.incrementAndGet()
            return "ran"
        }

        @DistributedLock(key = "'held-elsewhere'", onFailure = OnFailure.SKIP)
        open suspend fun skippableUnit() {
            delay(1)
            calls.incrementAndGet()
        }

        @DistributedLock(key = "'held-elsewhere'")
        open suspend fun throwing() {
            calls.incrementAndGet()
        }

        @DistributedLock(key = "'order:' + #orderId")
        open suspend fun seen(orderId: String): Seen {
            delay(1)
            val viaMono = ReactiveCurrentLock.get().awaitSingleOrNull()
            val viaContext = lockInReactorContext()
            return Seen(viaMono, viaContext, inner.current(orderId))
        }

        @DistributedLock(key = "'rows'")
        open fun rows(started: CompletableDeferred<Unit>, gate: CompletableDeferred<Unit>): Flow<Int> = flow {
            emit(1)
            started.complete(Unit)
            gate.await()
            val lock = lockInReactorContext()
            emit(if (lock?.resourceId() == "rows") 2 else -1)
        }
    }
}
