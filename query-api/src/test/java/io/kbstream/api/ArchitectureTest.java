package io.kbstream.api;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

/** The API is a thin service: it never depends on the jobs module or on Flink. */
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
}
