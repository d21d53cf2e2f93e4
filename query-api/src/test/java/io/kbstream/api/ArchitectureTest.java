package io.kbstream.api;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

/**
 * The API is a thin service: it never depends on the jobs module or on Flink; its feature packages
 * ({@code documents}, {@code search}, {@code events}, {@code http}, {@code resilience}) form no
 * cycle, and the root package only wires them (nothing below it depends on it).
 */
class ArchitectureTest {

    private final JavaClasses production =
            new ClassFileImporter()
                    .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                    .importPackages("io.kbstream.api");

    @Test
    void production_classes_do_not_depend_on_jobs_or_flink() {
        noClasses()
                .should()
                .dependOnClassesThat()
                .resideInAnyPackage("io.kbstream.jobs..", "org.apache.flink..")
                .check(production);
    }

    @Test
    void feature_packages_have_no_cycle() {
        slices().matching("io.kbstream.api.(*)..").should().beFreeOfCycles().check(production);
    }

    @Test
    void no_feature_package_depends_on_the_root_package_that_wires_them() {
        noClasses()
                .that()
                .resideOutsideOfPackage("io.kbstream.api")
                .should()
                .dependOnClassesThat()
                .resideInAPackage("io.kbstream.api")
                .check(production);
    }
}
