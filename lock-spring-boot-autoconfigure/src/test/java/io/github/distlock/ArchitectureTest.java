package io.github.distlock;

import java.util.Arrays;

import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;
import com.tngtech.archunit.library.dependencies.SliceAssignment;
import com.tngtech.archunit.library.dependencies.SliceIdentifier;

import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAPackage;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAnyPackage;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideOutsideOfPackage;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

/**
 * The package layering of the main code, as the README's "Modules" section draws it:
 * {@code api} ← {@code spi} ← {@code metrics} ← {@code core} ← {@code annotation}, {@code grpc}, {@code store.*}
 * ← {@code autoconfigure}, with no cycles between any two packages (each store package is a package of its own).
 * {@code health} (what the store types' health indicators share) sits beside {@code core}, below the stores;
 * {@code transaction} (transactions inside locks) uses {@code core} and {@code api} only.
 */
@AnalyzeClasses(packages = "io.github.distlock", importOptions = ImportOption.DoNotIncludeTests.class)
class ArchitectureTest {

    private static final String OURS = "io.github.distlock..";
    private static final String API = "io.github.distlock.api..";
    private static final String SPI = "io.github.distlock.spi..";
    private static final String METRICS = "io.github.distlock.metrics..";
    private static final String CORE = "io.github.distlock.core..";
    private static final String ANNOTATION = "io.github.distlock.annotation..";
    private static final String GRPC = "io.github.distlock.grpc..";
    private static final String HEALTH = "io.github.distlock.health..";
    private static final String STORES = "io.github.distlock.store..";
    private static final String AUTOCONFIGURE = "io.github.distlock.autoconfigure..";
    private static final String TRANSACTION = "io.github.distlock.transaction..";

    @ArchTest
    static final ArchRule noCyclesBetweenPackages = slices().assignedFrom(new PackageSlices())
            .should().beFreeOfCycles();

    @ArchTest
    static final ArchRule apiDependsOnNothingElseOfOurs = onlyOursFrom(API);

    @ArchTest
    static final ArchRule spiDependsOnlyOnApi = onlyOursFrom(SPI, API);

    @ArchTest
    static final ArchRule metricsDependOnlyOnApi = onlyOursFrom(METRICS, API);

    @ArchTest
    static final ArchRule coreDoesNotKnowItsUsers = noClasses().that().resideInAPackage(CORE)
            .should().dependOnClassesThat().resideInAnyPackage(ANNOTATION, GRPC, HEALTH, STORES, AUTOCONFIGURE,
                    TRANSACTION);

    @ArchTest
    static final ArchRule transactionDependsOnlyOnCoreAndApi = onlyOursFrom(TRANSACTION, CORE, API);

    @ArchTest
    static final ArchRule healthDependsOnlyOnCoreSpiAndApi = onlyOursFrom(HEALTH, CORE, SPI, API);

    @ArchTest
    static final ArchRule storesDoNotKnowAnnotationGrpcOrAutoconfigure = noClasses().that().resideInAPackage(STORES)
            .should().dependOnClassesThat().resideInAnyPackage(ANNOTATION, GRPC, AUTOCONFIGURE, TRANSACTION);

    @ArchTest
    static final ArchRule storesDoNotKnowEachOther = slices().matching("io.github.distlock.store.(*)..")
            .should().notDependOnEachOther();

    @ArchTest
    static final ArchRule nothingDependsOnAutoconfigure = noClasses().that().resideOutsideOfPackage(AUTOCONFIGURE)
            .should().dependOnClassesThat().resideInAPackage(AUTOCONFIGURE);

    /** Classes of {@code layer} use, of this project, only {@code layer} itself and {@code allowed}. */
    private static ArchRule onlyOursFrom(String layer, String... allowed) {
        String[] own = Arrays.copyOf(allowed, allowed.length + 1);
        own[allowed.length] = layer;
        DescribedPredicate<JavaClass> permitted = resideOutsideOfPackage(OURS).or(resideInAnyPackage(own));
        return classes().that(resideInAPackage(layer)).should().onlyDependOnClassesThat(permitted);
    }

    /** One slice per package under {@code io.github.distlock}, and one per store ({@code store.redis}, ...). */
    static final class PackageSlices implements SliceAssignment {

        @Override
        public SliceIdentifier getIdentifierOf(JavaClass javaClass) {
            String name = javaClass.getPackageName();
            String root = "io.github.distlock.";
            if (!name.startsWith(root)) {
                return SliceIdentifier.ignore();
            }
            String[] parts = name.substring(root.length()).split("\\.");
            return parts[0].equals("store") && parts.length > 1 ? SliceIdentifier.of("store." + parts[1])
                    : SliceIdentifier.of(parts[0]);
        }

        @Override
        public String getDescription() {
            return "packages of io.github.distlock (each store.* package apart)";
        }
    }
}
