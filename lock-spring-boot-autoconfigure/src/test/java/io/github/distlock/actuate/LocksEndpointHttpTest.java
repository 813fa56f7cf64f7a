package io.github.distlock.actuate;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

import io.github.distlock.annotation.DistributedLock;
import io.github.distlock.api.LockHandle;
import io.github.distlock.api.LockOptions;
import io.github.distlock.autoconfigure.DistributedLockAutoConfiguration;
import io.github.distlock.core.CurrentLock;
import io.github.distlock.core.LockTemplate;
import io.github.distlock.store.inmemory.InMemoryLockStoreAutoConfiguration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.actuate.autoconfigure.endpoint.EndpointAutoConfiguration;
import org.springframework.boot.actuate.autoconfigure.endpoint.jackson.JacksonEndpointAutoConfiguration;
import org.springframework.boot.actuate.autoconfigure.endpoint.web.WebEndpointAutoConfiguration;
import org.springframework.boot.actuate.autoconfigure.web.server.ManagementContextAutoConfiguration;
import org.springframework.boot.autoconfigure.ImportAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.http.converter.autoconfigure.HttpMessageConvertersAutoConfiguration;
import org.springframework.boot.jackson.autoconfigure.JacksonAutoConfiguration;
import org.springframework.boot.servlet.autoconfigure.actuate.web.ServletManagementContextAutoConfiguration;
import org.springframework.boot.tomcat.autoconfigure.servlet.TomcatServletWebServerAutoConfiguration;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.boot.webmvc.autoconfigure.DispatcherServletAutoConfiguration;
import org.springframework.boot.webmvc.autoconfigure.WebMvcAutoConfiguration;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code /actuator/locks} over HTTP, on a server of its own (loopback, a free port): the JSON of a held lock, and a
 * force-release through DELETE.
 */
@Timeout(120)
class LocksEndpointHttpTest {

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
    private ConfigurableApplicationContext context;

    @AfterEach
    void close() {
        if (context != null) {
            context.close();
        }
    }

    private String start(String... properties) {
        context = new SpringApplicationBuilder(Application.class).properties("server.port=0",
                "server.address=127.0.0.1", "spring.main.banner-mode=off",
                "management.endpoints.web.exposure.include=locks", "distributed-lock.stores.orders.type=in-memory")
                .properties(properties).run();
        int port = ((WebServerApplicationContext) context).getWebServer().getPort();
        return "http://127.0.0.1:" + port + "/actuator/locks";
    }

    @Test
    void listsHeldLocksAsJsonAndForceReleasesOneThroughDelete() throws Exception {
        String locks = start("management.endpoint.locks.force-release.enabled=true");
        LockTemplate template = context.getBean(LockTemplate.class);
        Payments payments = context.getBean(Payments.class);
        try (LockHandle held = template.acquire("order:42", LockOptions.tryOnce())) {
            JsonNode listed = get(locks);
            assertThat(listed.get("locks")).hasSize(1);
            JsonNode lock = listed.get("locks").get(0);
            assertThat(lock.get("store").asString()).isEqualTo("orders");
            assertThat(lock.get("key").asString()).isEqualTo("order:42");
            assertThat(lock.get("owner").asString()).isEqualTo(held.owner());
            assertThat(lock.get("source").asString()).isEqualTo("template");
            assertThat(lock.get("acquiredAt").asString()).isEqualTo(held.acquiredAt().toString());
            assertThat(lock.get("expireSeconds").asInt()).isEqualTo(30);
            assertThat(lock.get("leaseRemainingMillis").asLong()).isBetween(1L, 30_000L);
            assertThat(lock.get("renewals").asInt()).isZero();
            assertThat(lock.get("fencingToken").asLong()).isEqualTo(held.fencingToken().getAsLong());
            assertThat(lock.get("held").asBoolean()).isTrue();

            // An annotated call listing itself: its source is "annotation".
            JsonNode whileAnnotated = payments.listLocks(() -> get(locks));
            assertThat(whileAnnotated.get("locks")).hasSize(2);
            assertThat(whileAnnotated.get("locks").get(1).get("source").asString()).isEqualTo("annotation");
            assertThat(whileAnnotated.get("locks").get(1).get("key").asString()).isEqualTo("payment:7");

            HttpResponse<String> deleted = http.send(HttpRequest.newBuilder(URI.create(locks + "/" + held.owner()))
                    .DELETE().build(), HttpResponse.BodyHandlers.ofString());
            assertThat(deleted.statusCode()).isEqualTo(200);
            JsonNode answer = JsonMapper.shared().readTree(deleted.body());
            assertThat(answer.get("status").asString()).isEqualTo("SUCCESS");
            assertThat(answer.get("key").asString()).isEqualTo("order:42");
            assertThat(held.isHeld()).isFalse();

            HttpResponse<String> again = http.send(HttpRequest.newBuilder(URI.create(locks + "/" + held.owner()))
                    .DELETE().build(), HttpResponse.BodyHandlers.ofString());
            assertThat(again.statusCode()).as("lost already: Unlock answers LOCK_UNEXIST").isEqualTo(200);
            assertThat(again.body()).contains("LOCK_UNEXIST");
        }
        assertThat(get(locks).get("locks")).isEmpty();
    }

    @Test
    void deleteIsRefusedWhileForceReleaseIsOff() throws Exception {
        String locks = start();
        try (LockHandle held = context.getBean(LockTemplate.class).acquire("order:43", LockOptions.tryOnce())) {
            HttpResponse<String> deleted = http.send(HttpRequest.newBuilder(URI.create(locks + "/" + held.owner()))
                    .DELETE().build(), HttpResponse.BodyHandlers.ofString());
            assertThat(deleted.statusCode()).isEqualTo(403);
            assertThat(deleted.body()).contains("management.endpoint.locks.force-release.enabled");
            assertThat(held.isHeld()).isTrue();
        }
    }

    @Test
    void readOnlyAccessLeavesNoDeleteWhateverThePropertySays() throws Exception {
        String locks = start("management.endpoint.locks.force-release.enabled=true",
                "management.endpoint.locks.access=read-only");
        try (LockHandle held = context.getBean(LockTemplate.class).acquire("order:44", LockOptions.tryOnce())) {
            HttpResponse<String> deleted = http.send(HttpRequest.newBuilder(URI.create(locks + "/" + held.owner()))
                    .DELETE().build(), HttpResponse.BodyHandlers.ofString());
            assertThat(deleted.statusCode()).isBetween(400, 499);
            assertThat(held.isHeld()).isTrue();
            assertThat(get(locks).get("locks")).hasSize(1);
        }
    }

    private JsonNode get(String uri) throws Exception {
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(uri)).GET().build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        assertThat(response.headers().firstValue("Content-Type")).hasValueSatisfying(type -> assertThat(type)
                .contains("json"));
        return JsonMapper.shared().readTree(response.body());
    }

    @SpringBootConfiguration
    @ImportAutoConfiguration({DistributedLockAutoConfiguration.class, InMemoryLockStoreAutoConfiguration.class,
            LocksEndpointAutoConfiguration.class, TomcatServletWebServerAutoConfiguration.class,
            DispatcherServletAutoConfiguration.class, WebMvcAutoConfiguration.class, JacksonAutoConfiguration.class,
            HttpMessageConvertersAutoConfiguration.class, EndpointAutoConfiguration.class,
            JacksonEndpointAutoConfiguration.class, WebEndpointAutoConfiguration.class,
            ManagementContextAutoConfiguration.class, ServletManagementContextAutoConfiguration.class})
    static class Application {

        @Bean
        Payments payments() {
            return new Payments();
        }
    }

    /** Calls back while holding an annotated lock. */
    static class Payments {

        interface Probe {
            JsonNode call() throws Exception;
        }

        @DistributedLock(key = "'payment:7'")
        public JsonNode listLocks(Probe probe) throws Exception {
            assertThat(CurrentLock.get()).isPresent();
            return probe.call();
        }
    }
}
