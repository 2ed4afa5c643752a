package dev.sluice.bootstrap;

import io.micronaut.context.ApplicationContext;
import io.micronaut.runtime.Micronaut;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.output.MigrateResult;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Starts the gateway, or with the argument {@code migrate} only applies the database migrations
 * (for a CI step before a deploy) and exits.
 */
public final class Sluice {
    private Sluice() {
    }

    public static void main(String[] args) {
        if ("json".equalsIgnoreCase(System.getenv("SLUICE_LOG_FORMAT")) && System.getProperty("logback.configurationFile") == null) {
            System.setProperty("logback.configurationFile", "logback-json.xml");
        }
        System.setProperty("org.jooq.no-logo", "true");
        System.setProperty("org.jooq.no-tips", "true");
        Logger log = LoggerFactory.getLogger(Sluice.class);

        DataDirectory data = new DataDirectory(Path.of(env("SLUICE_DATA_DIR").orElse("data")));
        Map<String, Object> properties = new HashMap<>();
        EmbeddedDatabase embedded = null;
        String url = env("SLUICE_DB_URL").orElse(null);
        String user = env("SLUICE_DB_USER").orElse("postgres");
        String password = env("SLUICE_DB_PASSWORD").orElse("");
        if (url == null) {
            embedded = EmbeddedDatabase.start(data.resolve("postgres"));
            url = embedded.jdbcUrl();
            user = "postgres";
            password = "";
        }
        properties.put("datasources.default.url", url);
        properties.put("datasources.default.username", user);
        properties.put("datasources.default.password", password);

        boolean migrateOnly = args.length > 0 && "migrate".equals(args[0]);
        if (migrateOnly) {
            try {
                MigrateResult result = Flyway.configure()
                        .dataSource(url, user, password)
                        .locations("classpath:db/migration")
                        .load()
                        .migrate();
                log.info("Database migrated: {} migration(s) applied, schema now at version {}",
                        result.migrationsExecuted, result.targetSchemaVersion);
            } finally {
                if (embedded != null) {
                    embedded.close();
                }
            }
            return;
        }

        properties.put("sluice.data-dir", data.root().toString());
        properties.put("sluice.secret-key", data.masterKey(env("SLUICE_SECRET_KEY")));
        properties.put("sluice.admin.token", data.adminToken(env("SLUICE_ADMIN_TOKEN")));
        ApplicationContext context;
        try {
            context = Micronaut.build(args).mainClass(Sluice.class).properties(properties).start();
        } catch (RuntimeException e) {
            if (embedded != null) {
                embedded.close();
            }
            throw e;
        }
        EmbeddedDatabase database = embedded;
        if (database != null) {
            // Micronaut's own shutdown hook stops the context (flushing the request log and quota counters);
            // the embedded database must outlive it, so this hook waits for that before stopping PostgreSQL.
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(30);
                while (context.isRunning() && System.nanoTime() < deadline) {
                    try {
                        Thread.sleep(50);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        break;
                    }
                }
                database.close();
            }, "sluice-embedded-db-shutdown"));
        }
    }

    private static Optional<String> env(String name) {
        String value = System.getenv(name);
        return value == null || value.isBlank() ? Optional.empty() : Optional.of(value);
    }
}
