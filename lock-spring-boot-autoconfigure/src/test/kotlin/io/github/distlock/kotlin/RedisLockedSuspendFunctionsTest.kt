package io.github.distlock.kotlin

import io.github.distlock.spi.LockStore
import io.github.distlock.store.redis.RedisLockStore
import io.github.distlock.testsupport.RedisTestServer
import java.time.Duration
import java.util.function.Supplier
import org.junit.jupiter.api.AfterAll
import org.junit.jupiter.api.BeforeAll
import org.junit.jupiter.api.TestInstance
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory

/** Locked suspend functions and flows on a real Redis. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RedisLockedSuspendFunctionsTest : AbstractLockedSuspendFunctionsTest() {

    private lateinit var server: RedisTestServer
    private lateinit var connection: LettuceConnectionFactory

    @BeforeAll
    fun startServer() {
        server = RedisTestServer.start()
        connection = server.connectionFactory(Duration.ofSeconds(5))
    }

    @AfterAll
    fun stopServer() {
        connection.destroy()
        server.close()
    }

    override fun store(): Supplier<LockStore> = Supplier { RedisLockStore(connection) }
}
