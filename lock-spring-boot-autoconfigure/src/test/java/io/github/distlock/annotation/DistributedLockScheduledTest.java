package io.github.distlock.annotation;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import io.github.distlock.autoconfigure.DistributedLockAutoConfiguration;
import io.github.distlock.core.CurrentLock;
import io.github.distlock.store.inmemory.InMemoryLockStoreAutoConfiguration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.ImportAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.scheduling.annotation.EnableScheduling;
import org.springframework.scheduling.annotation.Scheduled;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A {@code @Scheduled} {@code @DistributedLock} method in an application whose own configuration enables scheduling
 * (registered before the auto-configuration): the scheduler must call it through the lock's proxy.
 */
@Timeout(60)
class DistributedLockScheduledTest {

    @Configuration(proxyBeanMethods = false)
    @EnableScheduling
    @ImportAutoConfiguration({DistributedLockAutoConfiguration.class, InMemoryLockStoreAutoConfiguration.class})
    static class Application {

        @Bean
        Job job() {
            return new Job();
        }
    }

    public static class Job {

        final CompletableFuture<String> firstRun = new CompletableFuture<>();

        @Scheduled(fixedRate = 50)
        @DistributedLock(key = "'job'")
        public void run() {
            firstRun.complete(CurrentLock.get().map(lock -> lock.resourceId()).orElse("no lock"));
        }

        String firstRun() throws Exception {
            return firstRun.get(10, TimeUnit.SECONDS);
        }
    }

    @Test
    void theSchedulerCallsTheMethodUnderItsLock() throws Exception {
        try (ConfigurableApplicationContext context = new SpringApplicationBuilder(Application.class)
                .web(WebApplicationType.NONE).properties("spring.main.banner-mode=off").run()) {
            assertThat(context.getBean(Job.class).firstRun()).isEqualTo("job");
        }
    }
}
