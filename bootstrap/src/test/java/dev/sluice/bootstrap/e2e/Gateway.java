package dev.sluice.bootstrap.e2e;

import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import dev.sluice.adapters.edge.proxy.ProxyServer;
import dev.sluice.adapters.persistence.testing.TestDatabase;
import io.micronaut.context.ApplicationContext;
import io.micronaut.runtime.server.EmbeddedServer;
import org.jooq.Record;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * The whole gateway in this JVM: a fresh migrated database, the admin server on a random port and
 * the proxy port on another. One per test class; {@link #close()} stops it and drops the database.
 */
final class Gateway implements AutoCloseable {
    static final String ADMIN_TOKEN = "e2e-admin-token-0123456789-abcdefghijklmnop";
    /** A fixed 32-byte master key, base64-encoded. */
    static final String SECRET_KEY = Base64.getEncoder().encodeToString(
            "0123456789abcdef0123456789abcdef".getBytes(StandardCharsets.US_ASCII));
    private static final Duration REQUEST_LOG_WAIT = Duration.ofSeconds(5);

    private final TestDatabase database;
    private final EmbeddedServer server;
    private final int proxyPort;
    private final HttpClient http = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5))
            .build();
    private final AdminApi admin;
    private final boolean ownsDatabase;

    private Gateway(TestDatabase database, EmbeddedServer server) {
        this(database, server, true);
    }

    private Gateway(TestDatabase database, EmbeddedServer server, boolean ownsDatabase) {
        this.ownsDatabase = ownsDatabase;
        this.database = database;
        this.server = server;
        this.proxyPort = server.getApplicationContext().getBean(ProxyServer.class).port();
        this.admin = new AdminApi(http, URI.create("http://127.0.0.1:" + server.getPort()), ADMIN_TOKEN);
    }

    /** The configuration every test gateway starts with, on the given database; tests add or replace entries. */
    private static Map<String, Object> baseProperties(TestDatabase database) {
        Map<String, Object> properties = new HashMap<>();
        properties.put("micronaut.server.port", -1);
        properties.put("micronaut.server.host", "127.0.0.1");
        properties.put("sluice.proxy.host", "127.0.0.1");
        properties.put("sluice.proxy.port", 0);
        properties.put("sluice.proxy.threads", 2);
        properties.put("datasources.default.url", database.jdbcUrl());
        properties.put("datasources.default.username", database.user());
        properties.put("datasources.default.password", database.password());
        properties.put("datasources.default.maximum-pool-size", 4);
        properties.put("sluice.admin.token", ADMIN_TOKEN);
        properties.put("sluice.secret-key", SECRET_KEY);
        properties.put("sluice.config.refresh-interval", "1h");
        properties.put("sluice.request-log.flush-interval", "50ms");
        return properties;
    }

    static Gateway start() {
        return start(Map.of());
    }

    /** Starts a gateway; {@code overrides} replace or add configuration properties. */
    static Gateway start(Map<String, Object> overrides) {
        TestDatabase database = TestDatabase.create();
        try {
            Map<String, Object> properties = baseProperties(database);
            properties.putAll(overrides);
            EmbeddedServer server = ApplicationContext.run(EmbeddedServer.class, properties);
            return new Gateway(database, server);
        } catch (RuntimeException | Error e) {
            database.close();
            throw e;
        }
    }

    int proxyPort() {
        return proxyPort;
    }

    int adminPort() {
        return server.getPort();
    }

    AdminApi admin() {
        return admin;
    }

    /** The base URL an OpenAI client is given. */
    String openAiBaseUrl() {
        return "http://127.0.0.1:" + proxyPort + "/v1";
    }

    /** The official OpenAI SDK pointed at the proxy port, without retries (a retry would hide the gateway's answer). */
    OpenAIClient openAi(String apiKey) {
        return openAi(apiKey, builder -> {
        });
    }

    OpenAIClient openAi(String apiKey, Consumer<OpenAIOkHttpClient.Builder> customizer) {
        OpenAIOkHttpClient.Builder builder = OpenAIOkHttpClient.builder()
                .baseUrl(openAiBaseUrl())
                .apiKey(apiKey)
                .maxRetries(0)
                .timeout(Duration.ofSeconds(15));
        customizer.accept(builder);
        return builder.build();
    }

    /** A plain HTTP call to the proxy port, for what the SDK cannot send (malformed JSON, missing headers). */
    HttpResponse<String> proxy(String method, String path, String body, Map<String, String> headers) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + proxyPort + path))
                .timeout(Duration.ofSeconds(15))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8));
        headers.forEach(request::header);
        return send(request.build());
    }

    /** A plain HTTP GET to the admin port, without the admin token. */
    HttpResponse<String> adminPortGet(String path) {
        return send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + adminPort() + path))
                .timeout(Duration.ofSeconds(15)).GET().build());
    }

    private HttpResponse<String> send(HttpRequest request) {
        try {
            return http.send(request, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** The request log row of a request, waiting for the background writer (at most 5 s). */
    RequestLogRow awaitRequestLog(String requestId) {
        return Poll.until("request_log row " + requestId, REQUEST_LOG_WAIT, () -> findRequestLog(requestId));
    }

    Optional<RequestLogRow> findRequestLog(String requestId) {
        Record row = database.dsl().resultQuery("select * from request_log where request_id = ?", requestId).fetchOne();
        return Optional.ofNullable(row).map(RequestLogRow::of);
    }

    /** Stops the gateway as an operator would, keeping the database for a look afterwards. */
    void stop() {
        ApplicationContext context = server.getApplicationContext();
        if (context.isRunning()) {
            context.close();
        }
    }

    @Override
    public void close() {
        try {
            stop();
        } finally {
            if (ownsDatabase) {
                database.close();
            }
        }
    }

    /**
     * Another instance on this gateway's database, as a second replica behind a load balancer would
     * be. Close it before this one; closing it leaves the database alone.
     */
    Gateway secondInstance(Map<String, Object> overrides) {
        Map<String, Object> properties = baseProperties(database);
        properties.putAll(overrides);
        return new Gateway(database, ApplicationContext.run(EmbeddedServer.class, properties), false);
    }

    /**
     * Stops this gateway and starts a new one on the same database, as a redeploy would: the new one
     * finds the configuration, the keys and the stored quota counters. The returned gateway owns the
     * database from now on: close it, not this one (closing drops the database).
     */
    Gateway restartOnSameDatabase(Map<String, Object> overrides) {
        stop();
        Map<String, Object> properties = baseProperties(database);
        properties.putAll(overrides);
        return new Gateway(database, ApplicationContext.run(EmbeddedServer.class, properties));
    }

    /** The requests stored in {@code quota_usage} for a scope ({@code backend:<id>}, {@code app:<id>}), summed over its periods. */
    long storedQuotaRequests(String scope) {
        Long requests = database.dsl().resultQuery("select coalesce(sum(requests), 0) from quota_usage where scope = ?", scope)
                .fetchOne(0, Long.class);
        return requests == null ? 0 : requests;
    }

    /** A bean of the running gateway (e.g. the test clock). */
    <T> T bean(Class<T> type) {
        return server.getApplicationContext().getBean(type);
    }

    /**
     * Starts a gateway whose overrides depend on its fresh database, e.g. a datasource URL that goes
     * through a TCP forwarder to the database's host.
     */
    static Gateway startOn(java.util.function.Function<TestDatabase, Map<String, Object>> overrides) {
        TestDatabase database = TestDatabase.create();
        try {
            Map<String, Object> properties = baseProperties(database);
            properties.putAll(overrides.apply(database));
            return new Gateway(database, ApplicationContext.run(EmbeddedServer.class, properties));
        } catch (RuntimeException | Error e) {
            database.close();
            throw e;
        }
    }

    /** The test's own connection to the gateway's database (not through the gateway's datasource). */
    org.jooq.DSLContext databaseDsl() {
        return database.dsl();
    }
}
