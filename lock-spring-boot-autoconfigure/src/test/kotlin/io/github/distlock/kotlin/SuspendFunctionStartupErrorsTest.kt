package io.github.distlock.kotlin

import io.github.distlock.annotation.DistributedLock
import io.github.distlock.annotation.OnFailure
import io.github.distlock.api.InvalidLockConfigurationException
import io.github.distlock.autoconfigure.DistributedLockAutoConfiguration
import io.github.distlock.spi.LockStore
import io.github.distlock.store.inmemory.InMemoryLockStore
import org.assertj.core.api.Assertions.assertThat
import org.junit.jupiter.api.Test
import org.springframework.boot.autoconfigure.AutoConfigurations
import org.springframework.boot.test.context.runner.ApplicationContextRunner

/** What is wrong with a locked suspend function is told at startup. */
class SuspendFunctionStartupErrorsTest {

    private fun runner(bean: Class<*>): ApplicationContextRunner = ApplicationContextRunner()
        .withConfiguration(AutoConfigurations.of(DistributedLockAutoConfiguration::class.java))
        .withBean("main", LockStore::class.java, { InMemoryLockStore() })
        .withBean(bean)

    @Test
    fun skipOnASuspendFunctionWithANonNullReturnTypeFailsTheStartup() {
        runner(NonNullSkip::class.java)
            .run { context ->
                assertThat(context).hasFailed()
                assertThat(context.startupFailure).rootCause()
                    .isInstanceOf(InvalidLockConfigurationException::class.java)
                    .hasMessageContaining("onFailure")
                    .hasMessageContaining("String?")
            }
    }

    @Test
    fun skipOnASuspendFunctionWithANullableOrUnitReturnTypeStarts() {
        runner(NullableSkip::class.java)
            .run { context -> assertThat(context).hasNotFailed() }
    }

    @Test
    fun aSuspendFunctionThatIsNotOpenFailsTheStartup() {
        for (bean in listOf(FinalClass::class.java, FinalFunction::class.java)) {
            runner(bean)
                .run { context ->
                    assertThat(context).hasFailed()
                    assertThat(context.startupFailure).rootCause()
                        .isInstanceOf(InvalidLockConfigurationException::class.java)
                        .hasMessageContaining("final")
                }
        }
    }

    // Without the kotlin-spring plugin, Kotlin classes and their functions are final: a proxy cannot lock them.
    class FinalClass {
        @DistributedLock(key = "'k'")
        suspend fun name(): String = "name"
    }

    open class FinalFunction {
        @DistributedLock(key = "'k'")
        suspend fun name(): String = "name"
    }

    open class NonNullSkip {
        @DistributedLock(key = "'k'", onFailure = OnFailure.SKIP)
        open suspend fun name(): String = "name"
    }

    open class NullableSkip {
        @DistributedLock(key = "'k'", onFailure = OnFailure.SKIP)
        open suspend fun name(): String? = "name"

        @DistributedLock(key = "'k'", onFailure = OnFailure.SKIP)
        open suspend fun run() {
        }
    }
}
