package dev.sluice.bootstrap;

import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * No Docker engine runs where the tests run, so the compose file and Dockerfile are checked
 * statically: the services, the health-gated start order, the ports and the jar they ship.
 */
class DeploymentFilesTest {
    private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();

    @Test
    @SuppressWarnings("unchecked")
    void composeStartsTheGatewayAfterAHealthyPostgres() throws IOException {
        Map<String, Object> compose = new Yaml().load(Files.readString(ROOT.resolve("docker-compose.yml")));
        Map<String, Object> services = (Map<String, Object>) compose.get("services");
        assertThat(services).containsOnlyKeys("postgres", "gateway");

        Map<String, Object> postgres = (Map<String, Object>) services.get("postgres");
        assertThat((String) postgres.get("image")).startsWith("postgres:");
        Map<String, Object> health = (Map<String, Object>) postgres.get("healthcheck");
        assertThat(health.get("test").toString()).contains("pg_isready");

        Map<String, Object> gateway = (Map<String, Object>) services.get("gateway");
        assertThat(gateway.get("build")).isEqualTo(".");
        Map<String, Object> dependsOn = (Map<String, Object>) gateway.get("depends_on");
        assertThat(((Map<String, Object>) dependsOn.get("postgres")).get("condition")).isEqualTo("service_healthy");
        Map<String, Object> env = (Map<String, Object>) gateway.get("environment");
        assertThat((String) env.get("SLUICE_DB_URL")).isEqualTo("jdbc:postgresql://postgres:5432/sluice");
        assertThat(env).containsKeys("SLUICE_DB_USER", "SLUICE_DB_PASSWORD", "SLUICE_ADMIN_TOKEN", "SLUICE_SECRET_KEY");
        assertThat((List<String>) gateway.get("ports")).anyMatch(p -> p.startsWith("8080:8080")).anyMatch(p -> p.startsWith("8081:8081"));
        assertThat(((Map<String, Object>) compose.get("volumes"))).containsKeys("pgdata", "sluice-data");
    }

    @Test
    void dockerfileBuildsInOneStageAndRunsTheJarInAnother() throws IOException {
        List<String> lines = Files.readAllLines(ROOT.resolve("Dockerfile"));
        assertThat(lines.stream().filter(l -> l.startsWith("FROM ")).count()).isEqualTo(2);
        assertThat(lines).anyMatch(l -> l.contains("./mvnw") && l.contains("package"));
        assertThat(lines).anyMatch(l -> l.startsWith("COPY --from=build") && l.contains("bootstrap/target/sluice.jar"));
        assertThat(lines).anyMatch(l -> l.startsWith("USER "));
        assertThat(lines).anyMatch(l -> l.startsWith("ENTRYPOINT") && l.contains("/app/sluice.jar"));
        // every module the build needs is copied into the build stage
        for (String module : new String[] {"domain", "application", "db", "adapters", "admin-web", "bootstrap"}) {
            assertThat(lines).as("Dockerfile copies %s", module).anyMatch(l -> l.startsWith("COPY " + module + "/"));
        }
    }
}
