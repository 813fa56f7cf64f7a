package io.github.distlock.autoconfigure;

import java.util.LinkedHashMap;
import java.util.Map;

import org.springframework.boot.EnvironmentPostProcessor;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.context.properties.bind.Bindable;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.core.Ordered;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.MapPropertySource;

/**
 * Quiets the ZooKeeper client's startup chatter (some 30 INFO lines per client, one of them the whole classpath):
 * {@code logging.level} defaults of WARN for ZooKeeper and Curator, except Curator's connection state changes, which
 * stay INFO. They are the application's lowest-precedence property source, and a logger is left alone when the
 * application sets a level for it or for a package above it ({@code logging.level.org.apache=DEBUG}), so any
 * setting of the application wins. Nothing is added when {@code distributed-lock.enabled=false}.
 */
class ClientLogLevelDefaults implements EnvironmentPostProcessor, Ordered {

    static final String PROPERTY_SOURCE = "distributedLockClientLogLevels";

    private static final Map<String, String> DEFAULTS = defaults();

    private static Map<String, String> defaults() {
        Map<String, String> levels = new LinkedHashMap<>();
        levels.put("org.apache.zookeeper", "WARN");
        levels.put("org.apache.curator", "WARN");
        levels.put("org.apache.curator.framework.state.ConnectionStateManager", "INFO");
        return levels;
    }

    @Override
    public void postProcessEnvironment(ConfigurableEnvironment environment, SpringApplication application) {
        Binder binder = Binder.get(environment);
        if (!binder.bind(DistributedLockProperties.PREFIX + ".enabled", Boolean.class).orElse(true)) {
            return;
        }
        Map<String, String> configured = binder.bind("logging.level", Bindable.mapOf(String.class, String.class))
                .orElse(Map.of());
        Map<String, Object> levels = new LinkedHashMap<>();
        DEFAULTS.forEach((logger, level) -> {
            if (configured.keySet().stream().noneMatch(name -> covers(name, logger))) {
                levels.put("logging.level." + logger, level);
            }
        });
        if (!levels.isEmpty()) {
            environment.getPropertySources().addLast(new MapPropertySource(PROPERTY_SOURCE, levels));
        }
    }

    /** Whether a level set for {@code configured} applies to {@code logger}: the same logger or a package above. */
    private static boolean covers(String configured, String logger) {
        return logger.equals(configured) || logger.startsWith(configured + ".");
    }

    @Override
    public int getOrder() {
        return Ordered.LOWEST_PRECEDENCE;
    }
}
