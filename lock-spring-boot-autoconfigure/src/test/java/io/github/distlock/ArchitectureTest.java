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
 * {@code health} (the lock stores' health component) uses only {@code core}, {@code spi} and {@code api}, whatever the
 * store types; {@code web} (lock failures as HTTP problem details) only {@code api} and {@code fencing}; {@code waiting} (what the stores'
 * release signals share) uses nothing else of ours; {@code fencing} (the resource-side check) uses {@code api} only.
 * {@code grpc.proto} (the generated Lock API messages and stubs) is a layer of its own, using nothing of ours: the
 * gRPC server and the {@code layotto} store (a client of a sidecar) both speak it, and stores still do not know the
 * server.
 * {@code transaction} (transactions inside locks) uses {@code core} and {@code api} only; so do {@code actuate} (the
 * {@code locks} actuator endpoint) and {@code reactive} (locks held by reactive pipelines), which {@code annotation}
 * uses for its reactive methods.
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
    /** The gRPC server's package itself, without the generated wire types under it. */
    private static final String GRPC_SERVER = "io.github.distlock.grpc";
    private static final String GRPC_WIRE = "io.github.distlock.grpc.proto..";
    private static final String HEALTH = "io.github.distlock.health..";
    private static final String WAITING = "io.github.distlock.waiting..";
    private static final String WEB = "io.github.distlock.web..";
    private static final String FENCING = "io.github.distlock.fencing..";
    private static final String STORES = "io.github.distlock.store..";
    private static final String AUTOCONFIGURE = "io.github.distlock.autoconfigure..";
    private static final String TRANSACTION = "io.github.distlock.transaction..";
    private static final String ACTUATE = "io.github.distlock.actuate..";
    private static final String REACTIVE = "io.github.distlock.reactive..";

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
            .should().dependOnClassesThat().resideInAnyPackage(ANNOTATION, GRPC, HEALTH, WAITING, WEB, STORES,
                    AUTOCONFIGURE, TRANSACTION, ACTUATE, REACTIVE);

    @ArchTest
    static final ArchRule reactiveDependsOnlyOnCoreAndApi = onlyOursFrom(REACTIVE, CORE, API);

    @ArchTest
    static final ArchRule transactionDependsOnlyOnCoreAndApi = onlyOursFrom(TRANSACTION, CORE, API);

    @ArchTest
    static final ArchRule actuateDependsOnlyOnCoreAndApi = onlyOursFrom(ACTUATE, CORE, API);

    @ArchTest
    static final ArchRule healthDependsOnlyOnCoreSpiAndApi = onlyOursFrom(HEALTH, CORE, SPI, API);

    @ArchTest
    static final ArchRule waitingDependsOnNothingElseOfOurs = onlyOursFrom(WAITING);

    @ArchTest
    static final ArchRule webDependsOnlyOnApiAndFencing = onlyOursFrom(WEB, API, FENCING);

    @ArchTest
    static final ArchRule fencingDependsOnlyOnApi = onlyOursFrom(FENCING, API);

    @ArchTest
    static final ArchRule grpcWireTypesDependOnNothingElseOfOurs = onlyOursFrom(GRPC_WIRE);

    @ArchTest
    static final ArchRule storesDoNotKnowAnnotationGrpcServerHealthWebOrAutoconfigure = noClasses().that()
            .resideInAPackage(STORES).should().dependOnClassesThat()
            .resideInAnyPackage(ANNOTATION, GRPC_SERVER, HEALTH, WEB, AUTOCONFIGURE, TRANSACTION);

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

    /**
     * One slice per package under {@code io.github.distlock}, one per store ({@code store.redis}, ...), and one for
     * {@code grpc.proto}.
     */
    static final class PackageSlices implements SliceAssignment {

        @Override
        public SliceIdentifier getIdentifierOf(JavaClass javaClass) {
            String name = javaClass.getPackageName();
            String root = "io.github.distlock.";
            if (!name.startsWith(root)) {
                return SliceIdentifier.ignore();
            }
            String[] parts = name.substring(root.length()).split("\\.");
            boolean subPackage = (parts[0].equals("store") || parts[0].equals("grpc")) && parts.length > 1;
            return subPackage ? SliceIdentifier.of(parts[0] + "." + parts[1]) : SliceIdentifier.of(parts[0]);
        }

        @Override
        public String getDescription() {
            return "packages of io.github.distlock (each store.* package and grpc.proto apart)";
        }
    }
}
