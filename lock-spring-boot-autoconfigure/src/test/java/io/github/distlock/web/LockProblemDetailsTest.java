package io.github.distlock.web;

import io.github.distlock.api.LockNotAcquiredException;
import io.github.distlock.fencing.StaleFencingTokenException;
import io.github.distlock.api.LockOptions;
import io.github.distlock.api.LockStatus;
import io.github.distlock.api.TryLockRequest;
import io.github.distlock.autoconfigure.DistributedLockAutoConfiguration;
import io.github.distlock.core.DistributedLockClient;
import io.github.distlock.core.LockTemplate;
import io.github.distlock.spi.LockStore;
import io.github.distlock.store.inmemory.InMemoryLockStoreAutoConfiguration;
import jakarta.servlet.ServletException;
import org.junit.jupiter.api.Test;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.context.runner.ReactiveWebApplicationContextRunner;
import org.springframework.boot.test.context.runner.WebApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.test.web.reactive.server.WebTestClient;
import org.springframework.test.web.servlet.MockMvc;
import org.springframework.test.web.servlet.setup.MockMvcBuilders;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.bind.annotation.RestControllerAdvice;
import org.springframework.web.reactive.config.EnableWebFlux;
import org.springframework.web.servlet.config.annotation.EnableWebMvc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.post;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.content;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.jsonPath;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.status;

/**
 * Lock failures reaching a web client: 409 and 503 as problem details, in Spring MVC (through MockMvc) and WebFlux
 * (through WebTestClient), with the same controller.
 */
class LockProblemDetailsTest {

    private static final AutoConfigurations LOCKS = AutoConfigurations.of(DistributedLockAutoConfiguration.class,
            InMemoryLockStoreAutoConfiguration.class, LockProblemDetailsWebMvcAutoConfiguration.class,
            LockProblemDetailsWebFluxAutoConfiguration.class);

    private final WebApplicationContextRunner mvc = new WebApplicationContextRunner()
            .withConfiguration(LOCKS).withUserConfiguration(MvcApplication.class)
            .withPropertyValues("distributed-lock.stores.orders.type=in-memory", "distributed-lock.default-store=orders");

    private final ReactiveWebApplicationContextRunner webflux = new ReactiveWebApplicationContextRunner()
            .withConfiguration(LOCKS).withUserConfiguration(WebFluxApplication.class)
            .withPropertyValues("distributed-lock.stores.orders.type=in-memory", "distributed-lock.default-store=orders");

    @Test
    void mvcAnswers409WithoutTheKeyAnd503WithoutTheCause() {
        mvc.run(context -> {
            MockMvc http = MockMvcBuilders.webAppContextSetup(context).build();
            holdOrder42(context.getBean(DistributedLockClient.class));
            http.perform(post("/orders/42/pay")).andExpect(status().isConflict())
                    .andExpect(content().contentType(MediaType.APPLICATION_PROBLEM_JSON))
                    .andExpect(jsonPath("$.status").value(409))
                    .andExpect(jsonPath("$.title").value("Lock not acquired"))
                    .andExpect(jsonPath("$.instance").value("/orders/42/pay"))
                    .andExpect(jsonPath("$.resourceId").doesNotExist())
                    .andExpect(content().string(org.hamcrest.Matchers.not(
                            org.hamcrest.Matchers.containsString("order:42"))));
            http.perform(post("/orders/42/refund")).andExpect(status().isServiceUnavailable())
                    .andExpect(content().contentType(MediaType.APPLICATION_PROBLEM_JSON))
                    .andExpect(jsonPath("$.title").value("Lock store unavailable"))
                    .andExpect(content().string(org.hamcrest.Matchers.not(
                            org.hamcrest.Matchers.containsString("connection refused"))));
        });
    }

    @Test
    void aRefusedFencedWriteAnswers409LockLostInMvcAndWebFlux() {
        mvc.run(context -> MockMvcBuilders.webAppContextSetup(context).build().perform(post("/orders/42/ship"))
                .andExpect(status().isConflict())
                .andExpect(content().contentType(MediaType.APPLICATION_PROBLEM_JSON))
                .andExpect(jsonPath("$.title").value("Lock lost"))
                .andExpect(content().string(org.hamcrest.Matchers.not(
                        org.hamcrest.Matchers.containsString("ledger")))));
        webflux.run(context -> WebTestClient.bindToApplicationContext(context).build().post().uri("/orders/42/ship")
                .exchange().expectStatus().isEqualTo(HttpStatus.CONFLICT)
                .expectBody().jsonPath("$.title").isEqualTo("Lock lost"));
    }

    @Test
    void mvcNamesTheKeyWhenAskedTo() {
        mvc.withPropertyValues("distributed-lock.web.include-key=true").run(context -> {
            holdOrder42(context.getBean(DistributedLockClient.class));
            MockMvcBuilders.webAppContextSetup(context).build().perform(post("/orders/42/pay"))
                    .andExpect(status().isConflict())
                    .andExpect(jsonPath("$.resourceId").value("order:42"))
                    .andExpect(jsonPath("$.store").value("orders"));
        });
    }

    @Test
    void anApplicationsOwnHandlerWins() {
        mvc.withUserConfiguration(OwnAdvice.class).run(context -> {
            holdOrder42(context.getBean(DistributedLockClient.class));
            MockMvcBuilders.webAppContextSetup(context).build().perform(post("/orders/42/pay"))
                    .andExpect(status().isTooManyRequests());
        });
        webflux.withUserConfiguration(OwnAdvice.class).run(context -> {
            holdOrder42(context.getBean(DistributedLockClient.class));
            WebTestClient.bindToApplicationContext(context).build().post().uri("/orders/42/pay").exchange()
                    .expectStatus().isEqualTo(HttpStatus.TOO_MANY_REQUESTS);
        });
    }

    @Test
    void switchedOffTheExceptionReachesTheApplicationsErrorHandling() {
        mvc.withPropertyValues("distributed-lock.web.problem-details.enabled=false").run(context -> {
            assertThat(context).doesNotHaveBean(LockProblemDetailsHandler.class);
            holdOrder42(context.getBean(DistributedLockClient.class));
            MockMvc http = MockMvcBuilders.webAppContextSetup(context).build();
            assertThatThrownBy(() -> http.perform(post("/orders/42/pay"))).isInstanceOf(ServletException.class)
                    .hasCauseInstanceOf(LockNotAcquiredException.class);
        });
    }

    @Test
    void webFluxAnswers409And503() {
        webflux.run(context -> {
            WebTestClient http = WebTestClient.bindToApplicationContext(context).build();
            holdOrder42(context.getBean(DistributedLockClient.class));
            http.post().uri("/orders/42/pay").exchange().expectStatus().isEqualTo(HttpStatus.CONFLICT)
                    .expectHeader().contentType(MediaType.APPLICATION_PROBLEM_JSON)
                    .expectBody().jsonPath("$.title").isEqualTo("Lock not acquired")
                    .jsonPath("$.resourceId").doesNotExist();
            http.post().uri("/orders/42/refund").exchange().expectStatus().isEqualTo(HttpStatus.SERVICE_UNAVAILABLE)
                    .expectBody().jsonPath("$.title").isEqualTo("Lock store unavailable");
        });
    }

    @Test
    void onlyInWebApplications() {
        new ApplicationContextRunner().withConfiguration(LOCKS)
                .run(context -> assertThat(context).hasNotFailed().doesNotHaveBean(LockProblemDetailsHandler.class));
    }

    private static void holdOrder42(DistributedLockClient client) {
        assertThat(client.tryLock(new TryLockRequest("orders", "order:42", "someone-else", 60)).success()).isTrue();
    }

    @RestController
    static class OrderController {

        private final LockTemplate locks;

        OrderController(LockTemplate locks) {
            this.locks = locks;
        }

        @PostMapping("/orders/42/pay")
        String pay() {
            return locks.executeLocked("order:42", LockOptions.tryOnce(), lock -> "paid");
        }

        @PostMapping("/orders/42/ship")
        String ship() {
            return locks.executeLocked("order:42", LockOptions.tryOnce(), lock -> {
                throw new StaleFencingTokenException("ledger order 42", lock.fencingToken().orElse(1), 99);
            });
        }

        @PostMapping("/orders/42/refund")
        String refund() {
            return locks.executeLocked("order:42", LockOptions.inStore("broken"), lock -> "refunded");
        }
    }

    /** A store whose server never answers. */
    static class BrokenStore implements LockStore {

        @Override
        public boolean tryLock(String key, String owner, int expireSeconds) {
            throw new IllegalStateException("connection refused");
        }

        @Override
        public LockStatus unlock(String key, String owner) {
            throw new IllegalStateException("connection refused");
        }

        @Override
        public LockStatus keepAlive(String key, String owner, int expireSeconds) {
            throw new IllegalStateException("connection refused");
        }
    }

    @Configuration(proxyBeanMethods = false)
    static class Controllers {

        @Bean
        OrderController orderController(LockTemplate locks) {
            return new OrderController(locks);
        }

        @Bean
        LockStore broken() {
            return new BrokenStore();
        }
    }

    @Configuration(proxyBeanMethods = false)
    @EnableWebMvc
    static class MvcApplication extends Controllers {
    }

    @Configuration(proxyBeanMethods = false)
    @EnableWebFlux
    static class WebFluxApplication extends Controllers {
    }

    @RestControllerAdvice
    static class OwnAdvice {

        @ExceptionHandler(LockNotAcquiredException.class)
        ResponseEntity<String> busy() {
            return ResponseEntity.status(HttpStatus.TOO_MANY_REQUESTS).body("busy");
        }
    }
}
