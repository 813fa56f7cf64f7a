package io.github.distlock.autoconfigure;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import io.github.distlock.api.LockHandle;
import io.github.distlock.api.LockKeyNamespace;
import io.github.distlock.api.LockOptions;
import io.github.distlock.core.DistributedLockClient;
import io.github.distlock.core.LockTemplate;
import io.github.distlock.metrics.LockRecorders;
import io.github.distlock.store.inmemory.InMemoryLockStoreAutoConfiguration;
import org.junit.jupiter.api.Test;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.convert.DurationStyle;
import org.springframework.boot.json.JsonParserFactory;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import static org.assertj.core.api.Assertions.assertThat;

/** The {@link LockTemplate} bean and the settings it takes from the configuration. */
class LockTemplateAutoConfigurationTest {

    private final ApplicationContextRunner runner = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(DistributedLockAutoConfiguration.class,
                    InMemoryLockStoreAutoConfiguration.class));

    @Test
    void theTemplateUsesTheConfiguredDefaultLease() {
        runner.run(context -> {
            LockTemplate locks = context.getBean(LockTemplate.class);
            assertThat(locks.defaultExpireSeconds()).isEqualTo(30);
            assertThat(context).hasSingleBean(LockRecorders.class);
        });
        runner.withPropertyValues("distributed-lock.default-expire=2m").run(context -> {
            try (LockHandle lock = context.getBean(LockTemplate.class).acquire("r", LockOptions.tryOnce())) {
                assertThat(lock.expireSeconds()).isEqualTo(120);
            }
        });
    }

    @Test
    void anApplicationTemplateReplacesOurs() {
        runner.withBean("myLocks", LockTemplate.class,
                () -> new LockTemplate(new DistributedLockClient(Map.of(), null, LockKeyNamespace.none())))
                .run(context -> assertThat(context.getBean(LockTemplate.class))
                        .isSameAs(context.getBean("myLocks")));
    }

    @Test
    void theDocumentedDefaultLeaseIsTheOneInLockOptions() throws Exception {
        try (InputStream metadata = getClass().getResourceAsStream("/META-INF/spring-configuration-metadata.json")) {
            assertThat(metadata).isNotNull();
            @SuppressWarnings("unchecked")
            List<Map<String, Object>> properties = (List<Map<String, Object>>) JsonParserFactory.getJsonParser()
                    .parseMap(new String(metadata.readAllBytes(), StandardCharsets.UTF_8)).get("properties");
            Object defaultValue = properties.stream()
                    .filter(property -> property.get("name").equals("distributed-lock.default-expire"))
                    .findFirst().orElseThrow().get("defaultValue");
            Duration documented = DurationStyle.detectAndParse(String.valueOf(defaultValue));
            assertThat(documented).isEqualTo(LockOptions.DEFAULT_EXPIRE);
            assertThat(new DistributedLockProperties().getDefaultExpire()).isEqualTo(LockOptions.DEFAULT_EXPIRE);
        }
    }
}
