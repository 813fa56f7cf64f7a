package io.github.distlock.store.redis;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import io.github.distlock.core.AbstractContendedWaitingTest;
import io.github.distlock.core.TemplateWaitingChildStore;
import io.github.distlock.spi.LockStore;
import io.github.distlock.testsupport.ChildJvm;
import io.github.distlock.testsupport.RedisTestServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;

/** Contended waiting on a real Redis: release signals by pub/sub, waiters of a JVM in line. */
class RedisContendedWaitingTest extends AbstractContendedWaitingTest {

    private RedisTestServer server;
    private final List<LettuceConnectionFactory> connections = new ArrayList<>();

    @BeforeAll
    void start() {
        server = RedisTestServer.start();
    }

    @AfterAll
    void stop() {
        connections.forEach(LettuceConnectionFactory::destroy);
        if (server != null) {
            server.close();
        }
    }

    @Override
    protected LockStore createStore() {
        LettuceConnectionFactory connection = server.connectionFactory(Duration.ofSeconds(10));
        connections.add(connection);
        return new RedisLockStore(connection);
    }

    @Override
    protected Class<? extends ChildJvm.StoreFactory> childFactory() {
        return TemplateChild.class;
    }

    @Override
    protected String childArgument() {
        return server.host() + ":" + server.port();
    }

    /** The Redis store of a child JVM, waited on through a template. */
    public static class TemplateChild implements ChildJvm.StoreFactory {
        @Override
        public LockStore create(String address) {
            return new TemplateWaitingChildStore(new RedisLockStoreFaultTest.ChildStore().create(address));
        }
    }
}
