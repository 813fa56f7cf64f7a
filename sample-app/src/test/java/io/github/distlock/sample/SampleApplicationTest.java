package io.github.distlock.sample;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import io.github.distlock.api.LockHandle;
import io.github.distlock.api.LockOptions;
import io.github.distlock.core.LockTemplate;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.core.env.Environment;
import org.springframework.core.ParameterizedTypeReference;
import org.springframework.web.client.RestClient;

import static org.assertj.core.api.Assertions.assertThat;

/** The sample service over HTTP: concurrent payment requests for one order charge once. */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = {"sample.payment.gateway-latency=50ms", "distributed-lock.grpc.port=0"})
class SampleApplicationTest {

    @Autowired
    private Environment environment;

    @Autowired
    private LockTemplate locks;

    @Test
    void concurrentPaymentsOfOneOrderChargeOnce() throws Exception {
        RestClient http = RestClient.create("http://127.0.0.1:" + environment.getProperty("local.server.port"));
        int requests = 8;
        ExecutorService pool = Executors.newFixedThreadPool(requests);
        List<Future<Map<String, Object>>> answers = new ArrayList<>();
        try {
            for (int i = 0; i < requests; i++) {
                Callable<Map<String, Object>> call = () -> http.post().uri("/orders/A-100/pay?amountCents=500")
                        .retrieve().body(new ParameterizedTypeReference<Map<String, Object>>() {
                        });
                answers.add(pool.submit(call));
            }
            int originals = 0;
            for (Future<Map<String, Object>> answer : answers) {
                Map<String, Object> payment = answer.get(60, TimeUnit.SECONDS);
                assertThat(payment).containsEntry("orderId", "A-100");
                if (Boolean.FALSE.equals(payment.get("duplicate"))) {
                    originals++;
                }
            }
            assertThat(originals).as("requests that charged").isEqualTo(1);
        } finally {
            pool.shutdownNow();
        }
        Map<String, Object> stats = http.get().uri("/orders/stats").retrieve()
                .body(new ParameterizedTypeReference<Map<String, Object>>() {
                });
        assertThat(stats).containsEntry("charges", 1).containsEntry("mostPaymentsInsideAtOnce", 1);
        String metrics = http.get().uri("/actuator/metrics/distributed.lock.acquire").retrieve().body(String.class);
        assertThat(metrics).contains("\"COUNT\"");
    }

    @Test
    void theLocksEndpointListsTheLocksHeldNow() {
        RestClient http = RestClient.create("http://127.0.0.1:" + environment.getProperty("local.server.port"));
        try (LockHandle lock = locks.acquire("order:L-7", LockOptions.tryOnce())) {
            assertThat(http.get().uri("/actuator/locks").retrieve().body(String.class))
                    .contains("order:L-7").contains(lock.owner()).contains("\"source\":\"template\"");
        }
        assertThat(http.get().uri("/actuator/locks").retrieve().body(String.class)).doesNotContain("order:L-7");
    }

    @Test
    void healthShowsTheLockStoresAsOneComponent() {
        RestClient http = RestClient.create("http://127.0.0.1:" + environment.getProperty("local.server.port"));
        Map<String, Object> lockStores = http.get().uri("/actuator/health/distributedLock").retrieve()
                .body(new ParameterizedTypeReference<Map<String, Object>>() {
                });
        assertThat(lockStores).containsEntry("status", "UP");
        assertThat(lockStores.get("components").toString()).contains("orders=").contains("type=in-memory");
    }
}
