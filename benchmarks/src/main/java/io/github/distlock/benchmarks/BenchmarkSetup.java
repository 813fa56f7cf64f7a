package io.github.distlock.benchmarks;

import io.github.distlock.testsupport.RedisTestServer;
import io.github.distlock.testsupport.TestServers;

import org.springframework.boot.logging.LogLevel;
import org.springframework.boot.logging.LoggingSystem;

/** What the benchmarks' set-ups share: quiet logging, and the Redis to measure against. */
final class BenchmarkSetup {

    private BenchmarkSetup() {
    }

    /** No Spring context here to apply logging.level: keep gRPC's, Netty's and the clients' debug output out. */
    static void quietLogging() {
        LoggingSystem logging = LoggingSystem.get(BenchmarkSetup.class.getClassLoader());
        logging.beforeInitialize();
        logging.setLogLevel(LoggingSystem.ROOT_LOGGER_NAME, LogLevel.WARN);
    }

    /**
     * The Redis to measure against: the one at {@code DISTLOCK_TEST_REDIS} ({@code host:port}) when it is set, else a
     * {@code redis-server} started on a free loopback port ({@code server}, which the caller closes).
     */
    record Redis(String host, int port, RedisTestServer server) {

        static Redis start() {
            String address = System.getenv(RedisTestServer.ADDRESS_ENV);
            if (address != null && !address.isBlank()) {
                return new Redis(address.substring(0, address.lastIndexOf(':')),
                        Integer.parseInt(address.substring(address.lastIndexOf(':') + 1)), null);
            }
            if (TestServers.findBinary("redis-server") == null) {
                throw new IllegalStateException("Install redis-server or set " + RedisTestServer.ADDRESS_ENV);
            }
            RedisTestServer server = RedisTestServer.startLocalProcess();
            return new Redis(server.host(), server.port(), server);
        }
    }
}
