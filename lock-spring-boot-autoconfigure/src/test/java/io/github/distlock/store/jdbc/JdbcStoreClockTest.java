package io.github.distlock.store.jdbc;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZonedDateTime;
import java.util.Date;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import org.junit.jupiter.api.Test;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

/**
 * Leases are measured with the database server's clock only: no class of the store reads the application's
 * wall clock (its monotonic {@code System.nanoTime()} only times local waits). The time-zone test in
 * {@link JdbcLockStoreTest} checks the SQL side.
 */
class JdbcStoreClockTest {

    @Test
    void noClassOfTheStoreReadsTheApplicationsWallClock() throws Exception {
        // The package's class files alone: scanning the whole classpath for one package takes seconds.
        Path classes = Path.of(JdbcLockStore.class.getProtectionDomain().getCodeSource().getLocation().toURI())
                .resolve(JdbcLockStore.class.getPackageName().replace('.', '/'));
        JavaClasses store = new ClassFileImporter().importPath(classes);
        noClasses().should().callMethod(System.class, "currentTimeMillis")
                .orShould().callMethod(Instant.class, "now")
                .orShould().callMethod(LocalDateTime.class, "now")
                .orShould().callMethod(OffsetDateTime.class, "now")
                .orShould().callMethod(ZonedDateTime.class, "now")
                .orShould().callConstructor(Date.class)
                .orShould().dependOnClassesThat().areAssignableTo(Clock.class)
                .check(store);
    }
}
