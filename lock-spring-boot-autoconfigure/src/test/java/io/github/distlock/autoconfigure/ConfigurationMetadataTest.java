package io.github.distlock.autoconfigure;

import java.beans.PropertyDescriptor;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import io.github.distlock.store.etcd.EtcdLockStoreFactory;
import io.github.distlock.store.etcd.EtcdLockStoreProperties;
import io.github.distlock.store.inmemory.InMemoryLockStoreFactory;
import io.github.distlock.store.jdbc.JdbcLockStoreFactory;
import io.github.distlock.store.jdbc.JdbcLockStoreProperties;
import io.github.distlock.store.redis.RedisLockStoreFactory;
import io.github.distlock.store.redis.RedisLockStoreProperties;
import io.github.distlock.store.zookeeper.ZooKeeperLockStoreFactory;
import io.github.distlock.store.zookeeper.ZooKeeperLockStoreProperties;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.beans.BeanUtils;
import org.springframework.boot.context.properties.bind.DataObjectPropertyName;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The configuration metadata IDEs read from the jar ({@code META-INF/spring-configuration-metadata.json}, generated
 * and merged with the additional metadata): the keys under a store, their descriptions and defaults, the type ids
 * as value hints, the health switches.
 */
class ConfigurationMetadataTest {

    private static final String STORE = "distributed-lock.stores.main.";

    private static Map<String, JsonNode> properties;
    private static Map<String, JsonNode> hints;

    @BeforeAll
    static void read() throws Exception {
        try (InputStream json = ConfigurationMetadataTest.class.getResourceAsStream(
                "/META-INF/spring-configuration-metadata.json")) {
            assertThat(json).as("generated metadata").isNotNull();
            JsonNode metadata = JsonMapper.builder().build().readTree(json);
            properties = byName(metadata.get("properties"));
            hints = byName(metadata.get("hints"));
        }
    }

    @Test
    void theStoreTypeHintsAreTheBuiltInTypeIdsAsWritten() {
        assertThat(properties).containsKey(STORE + "type");
        List<String> values = new ArrayList<>();
        hints.get(STORE + "type").get("values").forEach(value -> values.add(value.get("value").asString()));
        assertThat(values).containsExactlyInAnyOrder(RedisLockStoreFactory.TYPE, ZooKeeperLockStoreFactory.TYPE,
                EtcdLockStoreFactory.TYPE, JdbcLockStoreFactory.TYPE, InMemoryLockStoreFactory.TYPE);
        assertThat(hints.get(STORE + "type").get("providers").get(0).get("name").asString())
                .as("other libraries add types: the hints are not a closed set").isEqualTo("any");
        assertThat(hints).containsKey("distributed-lock.stores.keys");
    }

    @Test
    void everySettingOfTheBuiltInStoreTypesIsDescribedUnderAStoreName() {
        assertDescribed("redis", RedisLockStoreProperties.class);
        assertDescribed("zookeeper", ZooKeeperLockStoreProperties.class);
        assertDescribed("etcd", EtcdLockStoreProperties.class);
        assertDescribed("jdbc", JdbcLockStoreProperties.class);
        assertThat(properties.get(STORE + "redis.operation-timeout").get("defaultValue").asString()).isEqualTo("3s");
        assertThat(properties.get(STORE + "jdbc.table-name").get("defaultValue").asString())
                .isEqualTo("distributed_lock");
    }

    @Test
    void healthAndWebSwitches() {
        assertThat(properties.get("management.health.distributed-lock.enabled").get("defaultValue").asBoolean())
                .isTrue();
        for (String type : List.of("redis", "zookeeper", "etcd")) {
            JsonNode old = properties.get("management.health.distributed-lock-" + type + ".enabled");
            assertThat(old.get("deprecation").get("replacement").asString())
                    .isEqualTo("management.health.distributed-lock.enabled");
        }
        assertThat(properties).containsKeys("distributed-lock.web.include-key",
                "distributed-lock.web.problem-details.enabled", "distributed-lock.startup-check-timeout");
    }

    private static void assertDescribed(String type, Class<?> settings) {
        for (PropertyDescriptor property : BeanUtils.getPropertyDescriptors(settings)) {
            if (property.getWriteMethod() == null) {
                continue;
            }
            String name = STORE + type + "." + DataObjectPropertyName.toDashedForm(property.getName());
            assertThat(properties).as(name).containsKey(name);
            assertThat(properties.get(name).get("description").asString()).as(name).isNotBlank();
        }
    }

    private static Map<String, JsonNode> byName(JsonNode items) {
        Map<String, JsonNode> byName = new HashMap<>();
        items.forEach(item -> byName.put(item.get("name").asString(), item));
        return byName;
    }
}
