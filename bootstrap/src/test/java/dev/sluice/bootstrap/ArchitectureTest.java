package dev.sluice.bootstrap;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchRule;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;
import static org.assertj.core.api.Assertions.assertThat;

/** The dependency rule of the hexagon, checked on the compiled classes of every module. */
class ArchitectureTest {
    private static JavaClasses classes;

    @BeforeAll
    static void importClasses() {
        classes = new ClassFileImporter()
                .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importPackages("dev.sluice");
    }

    @Test
    void everyLayerIsOnTheClasspath() {
        for (String pkg : new String[] {"dev.sluice.domain", "dev.sluice.application", "dev.sluice.adapters.edge",
                "dev.sluice.adapters.upstream", "dev.sluice.adapters.persistence", "dev.sluice.adminweb", "dev.sluice.bootstrap"}) {
            assertThat(classes.stream().anyMatch(c -> c.getPackageName().startsWith(pkg)))
                    .as("classes of %s were imported", pkg).isTrue();
        }
    }

    @Test
    void domainDependsOnNothingButTheJdk() {
        ArchRule rule = classes().that().resideInAPackage("dev.sluice.domain..")
                .should().onlyDependOnClassesThat().resideInAnyPackage("dev.sluice.domain..", "java..");
        rule.check(classes);
    }

    @Test
    void applicationDependsOnNoFrameworkAndNoAdapter() {
        ArchRule rule = noClasses().that().resideInAPackage("dev.sluice.application..")
                .should().dependOnClassesThat().resideInAnyPackage(
                        "io.micronaut..", "org.jooq..", "io.netty..", "jakarta.persistence..", "javax.sql..",
                        "dev.sluice.adapters..", "dev.sluice.db..", "dev.sluice.adminweb..", "dev.sluice.bootstrap..");
        rule.check(classes);
    }

    @Test
    void applicationOnlyUsesTheDomainAndTheJdk() {
        ArchRule rule = classes().that().resideInAPackage("dev.sluice.application..")
                .should().onlyDependOnClassesThat().resideInAnyPackage("dev.sluice.application..", "dev.sluice.domain..", "java..");
        rule.check(classes);
    }

    @Test
    void adaptersDoNotReachIntoEachOther() {
        slices().matching("dev.sluice.adapters.(*)..").should().notDependOnEachOther().check(classes);
    }

    @Test
    void onlyThePersistenceAdapterUsesJooqAndTheGeneratedSchema() {
        noClasses().that().resideInAnyPackage("dev.sluice.adapters.edge..", "dev.sluice.adapters.upstream..", "dev.sluice.adminweb..")
                .should().dependOnClassesThat().resideInAnyPackage("org.jooq..", "dev.sluice.db..")
                .check(classes);
    }

    @Test
    void theConsoleTalksToTheGatewayOnlyThroughTheAdminApi() {
        noClasses().that().resideInAPackage("dev.sluice.adminweb..")
                .should().dependOnClassesThat().resideInAnyPackage("dev.sluice.domain..", "dev.sluice.application..", "dev.sluice.adapters..")
                .check(classes);
    }

    @Test
    void nothingButBootstrapDependsOnBootstrap() {
        noClasses().that().resideOutsideOfPackage("dev.sluice.bootstrap..")
                .should().dependOnClassesThat().resideInAPackage("dev.sluice.bootstrap..")
                .check(classes);
    }
}
