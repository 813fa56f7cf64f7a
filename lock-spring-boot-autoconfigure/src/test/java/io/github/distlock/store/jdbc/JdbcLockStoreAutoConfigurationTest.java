package io.github.distlock.store.jdbc;

import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.util.UUID;

import javax.sql.DataSource;

import io.github.distlock.api.InvalidLockConfigurationException;
import io.github.distlock.api.LockStatus;
import io.github.distlock.api.TryLockRequest;
import io.github.distlock.api.UnlockRequest;
import io.github.distlock.autoconfigure.DistributedLockAutoConfiguration;
import io.github.distlock.core.DistributedLockClient;
import io.github.distlock.health.DistributedLockHealthAutoConfiguration;
import io.github.distlock.store.inmemory.InMemoryLockStore;
import io.github.distlock.store.inmemory.InMemoryLockStoreAutoConfiguration;
import io.github.distlock.testsupport.StartupFailures;
import org.junit.jupiter.api.Test;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.health.contributor.CompositeHealthContributor;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.boot.health.contributor.Status;
import org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration;
import org.springframework.boot.jdbc.autoconfigure.DataSourceInitializationAutoConfiguration;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.assertj.AssertableApplicationContext;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DriverManagerDataSource;

import static org.assertj.core.api.Assertions.assertThat;

/** The jdbc store type through Spring Boot, on H2: properties, DataSource beans, the table, errors, health. */
class JdbcLockStoreAutoConfigurationTest {

    private static final String STORE = "distributed-lock.stores.main.jdbc.";

    private final ApplicationContextRunner runner = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(DataSourceAutoConfiguration.class,
                    DistributedLockAutoConfiguration.class, InMemoryLockStoreAutoConfiguration.class,
                    JdbcLockStoreAutoConfiguration.class, DistributedLockHealthAutoConfiguration.class))
            .withClassLoader(new FilteredClassLoader("org.springframework.data.redis", "org.apache.curator",
                    "io.etcd.jetcd"));

    /** A fresh in-memory database for one test. */
    private static String h2Url() {
        return "jdbc:h2:mem:autoconfig-" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1";
    }

    private static DataSource h2(String url) {
        return new DriverManagerDataSource(url, "sa", "");
    }

    @Test
    void aJdbcStoreOnSpringBootsDataSourceLocksAndIsHealthy() {
        runner.withPropertyValues("spring.datasource.url=" + h2Url(), "distributed-lock.stores.main.type=jdbc",
                STORE + "create-table=true").run(context -> {
                    assertThat(context).hasNotFailed();
                    DistributedLockClient client = context.getBean(DistributedLockClient.class);
                    assertThat(client.store("main")).isInstanceOf(JdbcLockStore.class);
                    assertLocks(client);
                    Health health = ((HealthIndicator) healthComponent(context).getContributor("main")).health(true);
                    assertThat(health.getStatus()).isEqualTo(Status.UP);
                    assertThat(health.getDetails()).containsEntry("type", "jdbc").containsEntry("database", "H2")
                            .containsEntry("table", "distributed_lock").doesNotContainKey("releaseNotifications");
                    assertThat(health.getDetails().get("address").toString()).startsWith("jdbc:h2:mem:autoconfig-")
                            .as("no parameters").doesNotContain(";");
                });
    }

    @Test
    void aTableCreatedWithTheDocumentedDdlIsUsedAsItIs() {
        String url = h2Url();
        new JdbcTemplate(h2(url)).execute(new H2LockTable("locks.distributed_lock").createTableSql()
                .replace("CREATE TABLE", "CREATE SCHEMA locks; CREATE TABLE"));
        runner.withPropertyValues("spring.datasource.url=" + url, "distributed-lock.stores.main.type=JDBC",
                STORE + "table-name=locks.distributed_lock").run(context -> {
                    assertThat(context).hasNotFailed();
                    assertLocks(context.getBean(DistributedLockClient.class));
                });
    }

    /** Spring Boot's schema initialization (like Flyway and Liquibase) runs before the store checks the table. */
    @Test
    void theTableCheckWaitsForTheApplicationsSchemaInitialization() {
        runner.withConfiguration(AutoConfigurations.of(DataSourceInitializationAutoConfiguration.class))
                .withPropertyValues("spring.datasource.url=" + h2Url(), "spring.sql.init.mode=always",
                        "spring.sql.init.schema-locations=classpath:jdbc-lock-table-h2.sql",
                        "distributed-lock.stores.main.type=jdbc")
                .run(context -> {
                    assertThat(context).hasNotFailed();
                    assertLocks(context.getBean(DistributedLockClient.class));
                });
    }

    @Test
    void withoutSpringBootsSqlModuleTheStoreWorksAsWell() {
        new ApplicationContextRunner()
                .withConfiguration(AutoConfigurations.of(DistributedLockAutoConfiguration.class,
                        InMemoryLockStoreAutoConfiguration.class, JdbcLockStoreAutoConfiguration.class))
                .withClassLoader(new FilteredClassLoader("org.springframework.boot.sql",
                        "org.springframework.boot.jdbc", "org.springframework.data.redis", "org.apache.curator",
                        "io.etcd.jetcd"))
                .withBean("dataSource", DataSource.class, () -> h2(h2Url()))
                .withPropertyValues("distributed-lock.stores.main.type=jdbc", STORE + "create-table=true")
                .run(context -> {
                    assertThat(context).hasNotFailed();
                    assertLocks(context.getBean(DistributedLockClient.class));
                });
    }

    @Test
    void aNamedDataSourceBeanIsUsed() {
        String lockUrl = h2Url();
        runner.withBean("appDataSource", DataSource.class, () -> h2(h2Url()), definition -> definition
                        .setPrimary(true))
                .withBean("lockDataSource", DataSource.class, () -> h2(lockUrl))
                .withPropertyValues("distributed-lock.stores.main.type=jdbc", STORE + "data-source=lockDataSource",
                        STORE + "create-table=true")
                .run(context -> {
                    assertThat(context).hasNotFailed();
                    assertLocks(context.getBean(DistributedLockClient.class));
                    assertThat(new JdbcTemplate(h2(lockUrl)).queryForObject(
                            "SELECT COUNT(*) FROM distributed_lock", Long.class)).as("rows in the named one").isOne();
                });
    }

    @Test
    void anUnknownDataSourceNameStopsStartupNamingTheProperty() {
        runner.withBean("appDataSource", DataSource.class, () -> h2(h2Url()))
                .withPropertyValues("distributed-lock.stores.main.type=jdbc", STORE + "data-source=nope")
                .run(context -> assertFailure(context, STORE + "data-source", "no DataSource bean named 'nope'",
                        "[appDataSource]"));
    }

    @Test
    void severalDataSourcesWithoutAPrimaryStopStartupNamingTheProperty() {
        runner.withBean("one", DataSource.class, () -> h2(h2Url()))
                .withBean("two", DataSource.class, () -> h2(h2Url()))
                .withPropertyValues("distributed-lock.stores.main.type=jdbc")
                .run(context -> assertFailure(context, STORE + "data-source", "several DataSource beans", "two"));
    }

    @Test
    void noDataSourceAtAllSaysWhatToAdd() {
        runner.withClassLoader(new FilteredClassLoader("org.h2", "com.zaxxer", "org.postgresql", "org.mariadb"))
                .withPropertyValues("distributed-lock.stores.main.type=jdbc")
                .run(context -> assertFailure(context, STORE + "data-source", "no DataSource bean",
                        "spring-boot-starter-jdbc"));
    }

    @Test
    void withoutSpringJdbcAStoreOfTypeJdbcSaysWhatToAdd() {
        runner.withClassLoader(new FilteredClassLoader("org.springframework.jdbc", "org.springframework.data.redis",
                        "org.apache.curator", "io.etcd.jetcd"))
                .withPropertyValues("distributed-lock.stores.main.type=jdbc")
                .run(context -> assertFailure(context, "distributed-lock.stores.main.type", "client library",
                        "org.springframework.boot:spring-boot-starter-jdbc"));
    }

    @Test
    void aTableNameThatIsNotAPlainIdentifierStopsStartupNamingTheProperty() {
        for (String bad : new String[] {"locks; DROP TABLE users", "\"quoted\"", "a.b.c", "1table", " ",
                "x".repeat(64)}) {
            runner.withPropertyValues("spring.datasource.url=" + h2Url(), "distributed-lock.stores.main.type=jdbc",
                    STORE + "table-name=" + bad, STORE + "create-table=true")
                    .run(context -> assertFailure(context, STORE + "table-name", "table name"));
        }
    }

    @Test
    void aMissingTableStopsStartupWithTheDdlToRun() {
        runner.withPropertyValues("spring.datasource.url=" + h2Url(), "distributed-lock.stores.main.type=jdbc")
                .run(context -> {
                    InvalidLockConfigurationException failure = assertFailure(context, STORE + "create-table",
                            "'distributed_lock'", "is missing");
                    assertThat(failure.getAction()).contains(new H2LockTable("distributed_lock").createTableSql())
                            .contains(STORE + "create-table=true");
                });
    }

    @Test
    void aTableOfThatNameWithOtherColumnsStopsStartupNamingTheTableName() {
        String url = h2Url();
        new JdbcTemplate(h2(url)).execute("CREATE TABLE distributed_lock (name VARCHAR(64) PRIMARY KEY)");
        runner.withPropertyValues("spring.datasource.url=" + url, "distributed-lock.stores.main.type=jdbc",
                STORE + "create-table=true")
                .run(context -> assertThat(assertFailure(context, STORE + "table-name", "lacks the lock columns")
                        .getAction()).contains(new H2LockTable("distributed_lock").createTableSql()));
    }

    @Test
    void aTableThatCannotBeCreatedStopsStartupSayingWhy() {
        String url = h2Url();
        new JdbcTemplate(h2(url)).execute("CREATE USER app PASSWORD 'app'");
        // A user without admin rights may not set DB_CLOSE_DELAY; the database keeps it from the first connection.
        runner.withPropertyValues("spring.datasource.url=" + url.substring(0, url.indexOf(';')),
                "spring.datasource.username=app",
                "spring.datasource.password=app", "distributed-lock.stores.main.type=jdbc", STORE + "create-table=true")
                .run(context -> assertThat(assertFailure(context, STORE + "create-table", "creating it failed")
                        .getAction()).contains("create it yourself"));
    }

    @Test
    void aNonPositiveDurationStopsStartupNamingTheProperty() {
        runner.withPropertyValues("spring.datasource.url=" + h2Url(), "distributed-lock.stores.main.type=jdbc",
                STORE + "create-table=true", STORE + "operation-timeout=0s")
                .run(context -> assertFailure(context, STORE + "operation-timeout", "positive"));
        runner.withPropertyValues("spring.datasource.url=" + h2Url(), "distributed-lock.stores.main.type=jdbc",
                STORE + "create-table=true", STORE + "poll-interval=-1s")
                .run(context -> assertFailure(context, STORE + "poll-interval", "positive"));
    }

    @Test
    void anUnsupportedDatabaseStopsStartupNamingIt() {
        DataSource real = h2(h2Url());
        DataSource derby = (DataSource) Proxy.newProxyInstance(getClass().getClassLoader(),
                new Class<?>[] {DataSource.class}, (proxy, method, args) -> {
                    Object result = method.invoke(real, args);
                    return result instanceof Connection connection ? productNamed("Apache Derby", connection)
                            : result;
                });
        runner.withBean("dataSource", DataSource.class, () -> derby)
                .withPropertyValues("distributed-lock.stores.main.type=jdbc")
                .run(context -> assertFailure(context, "distributed-lock.stores.main.type", "Apache Derby",
                        "PostgreSQL, MySQL, MariaDB and H2"));
    }

    @Test
    void aDataSourceAloneMakesNoJdbcStore() {
        runner.withPropertyValues("spring.datasource.url=" + h2Url()).run(context -> {
            assertThat(context).hasNotFailed();
            DistributedLockClient client = context.getBean(DistributedLockClient.class);
            assertThat(client.storeNames()).containsExactly("in-memory");
            assertThat(client.store("in-memory")).isInstanceOf(InMemoryLockStore.class);
            assertThat(healthComponent(context).stream().map(CompositeHealthContributor.Entry::name))
                    .containsExactly("in-memory");
        });
    }

    @Test
    void theStoresOfTypeJdbcCanBeLeftOutOfTheHealthComponent() {
        runner.withPropertyValues("spring.datasource.url=" + h2Url(), "distributed-lock.stores.main.type=jdbc",
                STORE + "create-table=true", "management.health.distributed-lock-jdbc.enabled=false")
                .run(context -> {
                    assertThat(context).hasNotFailed();
                    assertThat(context.getBean(DistributedLockClient.class).storeNames()).containsExactly("main");
                    assertThat(healthComponent(context).stream().map(CompositeHealthContributor.Entry::name))
                            .isEmpty();
                });
    }

    /** The {@code distributedLock} health component: an entry per store. */
    private static CompositeHealthContributor healthComponent(AssertableApplicationContext context) {
        return context.getBean("distributedLockHealthContributor", CompositeHealthContributor.class);
    }

    private static void assertLocks(DistributedLockClient client) {
        String resource = "autoconfig-" + UUID.randomUUID();
        assertThat(client.tryLock(new TryLockRequest("main", resource, "a", 60)).success()).isTrue();
        assertThat(client.tryLock(new TryLockRequest("main", resource, "b", 60)).success()).isFalse();
        assertThat(client.unlock(new UnlockRequest("main", resource, "a")).status()).isEqualTo(LockStatus.SUCCESS);
    }

    private static InvalidLockConfigurationException assertFailure(AssertableApplicationContext context,
            String property, String... fragments) {
        assertThat(context).hasFailed();
        InvalidLockConfigurationException failure = StartupFailures.invalidConfiguration(
                context.getStartupFailure());
        assertThat(failure.getProperty()).isEqualTo(property);
        for (String fragment : fragments) {
            assertThat(failure.getMessage()).containsIgnoringCase(fragment);
        }
        return failure;
    }

    /** {@code connection}, whose metadata reports {@code product} as the database product. */
    private static Connection productNamed(String product, Connection connection) {
        return (Connection) Proxy.newProxyInstance(JdbcLockStoreAutoConfigurationTest.class.getClassLoader(),
                new Class<?>[] {Connection.class}, (proxy, method, args) -> {
                    Object result = method.invoke(connection, args);
                    if (result instanceof DatabaseMetaData metaData) {
                        return Proxy.newProxyInstance(JdbcLockStoreAutoConfigurationTest.class.getClassLoader(),
                                new Class<?>[] {DatabaseMetaData.class}, (p, m, a) ->
                                        m.getName().equals("getDatabaseProductName") ? product : m.invoke(metaData, a));
                    }
                    return result;
                });
    }
}
