package dev.sluice.bootstrap.e2e;

import dev.sluice.adapters.persistence.testing.TestDatabase;
import io.micronaut.context.ApplicationContext;
import io.micronaut.runtime.server.EmbeddedServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code GET /admin/api/v1/usage/export.csv}: header, rows, RFC 4180 quoting, the validation of {@code /usage}, and a
 * large export read as a stream while the gateway's heap stays flat. Starts its own gateway (as {@link Gateway} does) so
 * that it can write {@code usage_minute} rows directly.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class UsageExportEndToEndTest {
    private static final String HEADER = "bucket,backend,app,model,requests,errors,prompt_tokens,completion_tokens,total_tokens";
    /** 10 000 minutes x 100 backends = 1 000 000 rows, grouped by backend at minute buckets (under the 7-day limit). */
    private static final int MINUTES = 10_000;
    private static final int BACKENDS = 100;

    private TestDatabase database;
    private EmbeddedServer server;
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();

    @BeforeAll
    void start() {
        database = TestDatabase.create();
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
        properties.put("sluice.admin.token", Gateway.ADMIN_TOKEN);
        properties.put("sluice.secret-key", Gateway.SECRET_KEY);
        properties.put("sluice.config.refresh-interval", "1h");
        server = ApplicationContext.run(EmbeddedServer.class, properties);
    }

    @AfterAll
    void stop() {
        try {
            if (server != null) {
                server.getApplicationContext().close();
            }
        } finally {
            database.close();
        }
    }

    @BeforeEach
    void empty() {
        database.dsl().execute("delete from usage_minute");
    }

    @Test
    void givenAwkwardNames_thenTheCsvHasAHeaderRowsAndQuoting() throws Exception {
        insert("2026-02-02T10:00:00Z", "east, \"primary\"", "app\nwith newline", "gpt-4o", 3, 1);
        insert("2026-02-02T10:00:00Z", "plain", "app", "m", 2, 0);
        insert("2026-02-02T10:01:00Z", "plain", "app", "m", 5, 2);

        HttpResponse<String> response = get("/usage/export.csv?from=2026-02-02T00:00:00Z&to=2026-02-03T00:00:00Z"
                + "&groupBy=backend,app&bucket=minute", HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));

        assertEquals(200, response.statusCode(), response.body());
        assertTrue(response.headers().firstValue("Content-Type").orElseThrow().startsWith("text/csv"),
                response.headers().toString());
        assertEquals("attachment; filename=usage.csv", response.headers().firstValue("Content-Disposition").orElseThrow());
        assertEquals(HEADER + "\r\n"
                + "2026-02-02T10:00:00Z,\"east, \"\"primary\"\"\",\"app\nwith newline\",,3,1,30,15,45\r\n"
                + "2026-02-02T10:00:00Z,plain,app,,2,0,20,10,30\r\n"
                + "2026-02-02T10:01:00Z,plain,app,,5,2,50,25,75\r\n", response.body());
    }

    @Test
    void givenNoRows_thenOnlyTheHeader() throws Exception {
        HttpResponse<String> response = get("/usage/export.csv?from=2026-02-02&to=2026-02-03",
                HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        assertEquals(200, response.statusCode(), response.body());
        assertEquals(HEADER + "\r\n", response.body());
    }

    @Test
    void givenInvalidParameters_thenA400NamingTheFields() throws Exception {
        HttpResponse<String> response = get("/usage/export.csv?from=yesterday&groupBy=colour&bucket=week",
                HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        assertEquals(400, response.statusCode(), response.body());
        assertTrue(response.body().contains("\"from\""), response.body());
        assertTrue(response.body().contains("\"groupBy\""), response.body());
        assertTrue(response.body().contains("\"bucket\""), response.body());
    }

    @Test
    void givenNoToken_then401() throws Exception {
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(uri("/usage/export.csv")).GET().build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(401, response.statusCode());
    }

    /**
     * A million rows, read line by line as they arrive. What is asserted: every row arrives, in order, the response is
     * chunked (no Content-Length: the body was not assembled first), and the heap in use (after a GC, client and gateway
     * share this JVM) half-way through the download is less than 64 MB above what it was before the request. The rows
     * as objects would take a few hundred MB and the CSV itself is about 60 MB, so buffering either would fail this.
     */
    @Test
    void givenAMillionRows_thenTheyStreamWithFlatMemory() throws Exception {
        database.dsl().execute("""
                insert into usage_minute (bucket, backend_name, app_name, model, requests, errors, prompt_tokens, completion_tokens, total_tokens)
                select timestamptz '2026-03-02T00:00:00Z' + make_interval(mins => m), 'b' || lpad(b::text, 3, '0'), 'app', 'model', 1, 0, 1, 1, 2
                from generate_series(0, ?) m, generate_series(1, ?) b""", MINUTES - 1, BACKENDS);
        database.dsl().execute("analyze usage_minute");
        long before = usedHeapAfterGc();
        long midway = -1;
        long rows = 0;
        HttpResponse<InputStream> response = get("/usage/export.csv?from=2026-03-02T00:00:00Z&to=2026-03-09T00:00:00Z"
                + "&groupBy=backend&bucket=minute", HttpResponse.BodyHandlers.ofInputStream());
        assertEquals(200, response.statusCode());
        assertFalse(response.headers().firstValue("Content-Length").isPresent(), response.headers().toString());
        try (BufferedReader lines = new BufferedReader(new InputStreamReader(response.body(), StandardCharsets.UTF_8))) {
            assertEquals(HEADER, lines.readLine());
            String line;
            while ((line = lines.readLine()) != null) {
                if (rows % 123_457 == 0) {
                    long minute = rows / BACKENDS;
                    String expected = java.time.Instant.parse("2026-03-02T00:00:00Z").plusSeconds(60 * minute) + ","
                            + String.format("b%03d", rows % BACKENDS + 1) + ",,,1,0,1,1,2";
                    assertEquals(expected, line, "row " + rows);
                }
                rows++;
                if (rows == (long) MINUTES * BACKENDS / 2) {
                    midway = usedHeapAfterGc();
                }
            }
        }
        assertEquals((long) MINUTES * BACKENDS, rows);
        long growth = midway - before;
        System.out.println("usage export: heap growth half-way through 1M rows: " + growth / 1024 + " KB");
        assertTrue(growth < 64L * 1024 * 1024, "heap grew by " + growth / (1024 * 1024) + " MB half-way through the export");
    }

    private void insert(String bucket, String backend, String app, String model, int requests, int errors) {
        database.dsl().execute("""
                insert into usage_minute (bucket, backend_name, app_name, model, requests, errors, prompt_tokens, completion_tokens, total_tokens)
                values (?::timestamptz, ?, ?, ?, ?, ?, ?, ?, ?)""",
                bucket, backend, app, model, requests, errors, requests * 10, requests * 5, requests * 15);
    }

    private static long usedHeapAfterGc() {
        Runtime runtime = Runtime.getRuntime();
        for (int i = 0; i < 3; i++) {
            System.gc();
        }
        return runtime.totalMemory() - runtime.freeMemory();
    }

    private URI uri(String path) {
        return URI.create("http://127.0.0.1:" + server.getPort() + "/admin/api/v1" + path);
    }

    private <T> HttpResponse<T> get(String path, HttpResponse.BodyHandler<T> body) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(uri(path)).timeout(Duration.ofSeconds(120)).GET()
                .header("Authorization", "Bearer " + Gateway.ADMIN_TOKEN).build(), body);
    }
}
