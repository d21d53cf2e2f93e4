package io.kbstream.cli;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.Architectures.layeredArchitecture;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

/**
 * The module floors of DESIGN.md, checked on every production class of every module. It lives in
 * {@code cli} because that is the one module whose classpath holds all of them: one layer map,
 * written once, sees each edge between modules (a per-module test would restate the map in eight
 * places). Maven already refuses imports a pom does not allow; these rules also catch a pom that
 * grows a dependency it should not have.
 */
class FloorsArchitectureTest {

    private static final String[] PRODUCT = {
        "io.kbstream.schemas..",
        "io.kbstream.core..",
        "io.kbstream.client..",
        "io.kbstream.jobs..",
        "io.kbstream.api..",
        "io.kbstream.deploy.."
    };
    private static final String[] TOOLING = {
        "io.kbstream.stack..",
        "io.kbstream.benchmark..",
        "io.kbstream.reliability..",
        "io.kbstream.cli.."
    };

    private static final JavaClasses ALL =
            new ClassFileImporter()
                    .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                    .importPackages("io.kbstream");

    @Test
    void every_module_of_the_floors_is_on_the_classpath_checked_here() {
        for (String pkg :
                new String[] {
                    "schemas",
                    "core",
                    "client",
                    "jobs",
                    "api",
                    "deploy",
                    "stack",
                    "benchmark",
                    "reliability",
                    "cli"
                }) {
            org.assertj.core.api.Assertions.assertThat(ALL.containPackage("io.kbstream." + pkg))
                    .as("classes of io.kbstream." + pkg)
                    .isTrue();
        }
    }

    @Test
    void product_code_never_imports_tooling() {
        noClasses()
                .that()
                .resideInAnyPackage(PRODUCT)
                .should()
                .dependOnClassesThat()
                .resideInAnyPackage(TOOLING)
                .because("the product runs without the local stack, the harnesses or the CLI")
                .check(ALL);
    }

    @Test
    void modules_depend_only_downward() {
        layeredArchitecture()
                .consideringOnlyDependenciesInLayers()
                .layer("schemas")
                .definedBy("io.kbstream.schemas..")
                .layer("core")
                .definedBy("io.kbstream.core..")
                .layer("client")
                .definedBy("io.kbstream.client..")
                .layer("jobs")
                .definedBy("io.kbstream.jobs..")
                .layer("query-api")
                .definedBy("io.kbstream.api..")
                .layer("operator-manifests")
                .definedBy("io.kbstream.deploy..")
                .layer("stack")
                .definedBy("io.kbstream.stack..")
                .layer("benchmark")
                .definedBy("io.kbstream.benchmark..")
                .layer("reliability")
                .definedBy("io.kbstream.reliability..")
                .layer("cli")
                .definedBy("io.kbstream.cli..")
                // floor 6
                .whereLayer("cli")
                .mayNotBeAccessedByAnyLayer()
                // floor 5: harnesses, each on its own
                .whereLayer("benchmark")
                .mayOnlyBeAccessedByLayers("cli")
                .whereLayer("reliability")
                .mayOnlyBeAccessedByLayers("cli")
                // floor 4
                .whereLayer("stack")
                .mayOnlyBeAccessedByLayers("benchmark", "reliability", "cli")
                // floor 3: the product's three deliverables never use each other
                .whereLayer("jobs")
                .mayOnlyBeAccessedByLayers("stack", "benchmark", "reliability", "cli")
                .whereLayer("query-api")
                .mayOnlyBeAccessedByLayers("stack", "benchmark", "reliability", "cli")
                .whereLayer("operator-manifests")
                .mayOnlyBeAccessedByLayers("stack", "benchmark", "reliability", "cli")
                // floor 2: core and the API client, side by side, neither using the other
                .whereLayer("core")
                .mayOnlyBeAccessedByLayers(
                        "jobs",
                        "query-api",
                        "operator-manifests",
                        "stack",
                        "benchmark",
                        "reliability",
                        "cli")
                .whereLayer("client")
                .mayOnlyBeAccessedByLayers(
                        "operator-manifests", "stack", "benchmark", "reliability", "cli")
                // floor 1: schemas, used by anyone, using no one
                .check(ALL);
    }

    @Test
    void every_class_of_ours_belongs_to_a_floor() {
        String[] all = new String[PRODUCT.length + TOOLING.length];
        System.arraycopy(PRODUCT, 0, all, 0, PRODUCT.length);
        System.arraycopy(TOOLING, 0, all, PRODUCT.length, TOOLING.length);
        classes()
                .that()
                .resideInAPackage("io.kbstream..")
                .should()
                .resideInAnyPackage(all)
                .because("a package outside the floors would escape the rules above")
                .check(ALL);
    }

    @Test
    void core_knows_neither_flink_nor_javalin() {
        noClasses()
                .that()
                .resideInAPackage("io.kbstream.core..")
                .should()
                .dependOnClassesThat()
                .resideInAnyPackage("org.apache.flink..", "io.javalin..")
                .check(ALL);
    }
}
