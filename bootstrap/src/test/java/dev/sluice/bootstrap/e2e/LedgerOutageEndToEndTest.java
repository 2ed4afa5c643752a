package dev.sluice.bootstrap.e2e;

import dev.sluice.bootstrap.e2e.LedgerClient.Kind;
import dev.sluice.bootstrap.e2e.LedgerClient.Planned;
import org.jooq.DSLContext;
import org.jooq.Record;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static dev.sluice.bootstrap.e2e.BackendSpec.aBackend;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * PostgreSQL goes away in the middle of a run (the gateway reaches it through a {@link TcpForwarder}
 * that is cut and restored). The gateway keeps serving every request, reports itself DOWN, spills
 * the request log to files beyond {@code max-buffered}, and once the database is back replays them:
 * every request is in {@code request_log} exactly once with its reported usage, {@code usage_minute}
 * matches, and the spill directory is empty.
 */
class LedgerOutageEndToEndTest {
    private static final Pattern JDBC = Pattern.compile("jdbc:postgresql://([^/:?]+)(?::(\\d+))?(/.*)");
    private static final int BEFORE = 300;
    private static final int DURING = 1_500;
    private static final int AFTER = 300;

    @TempDir
    Path dataDir;

    @Test
    void theLedgerSurvivesADatabaseOutageExactly() throws Exception {
        TcpForwarder[] forwarder = new TcpForwarder[1];
        try (LedgerUpstream upstream = LedgerUpstream.start();
             Gateway gateway = Gateway.startOn(db -> {
                 Matcher m = JDBC.matcher(db.jdbcUrl());
                 assertThat(m.matches()).as("jdbc url %s", db.jdbcUrl()).isTrue();
                 forwarder[0] = new TcpForwarder(m.group(1), m.group(2) == null ? 5432 : Integer.parseInt(m.group(2)));
                 return Map.of(
                         "datasources.default.url", "jdbc:postgresql://127.0.0.1:" + forwarder[0].port() + m.group(3),
                         "datasources.default.connection-timeout", 1000,
                         "sluice.data-dir", dataDir.toString(),
                         "sluice.request-log.max-buffered", 200,
                         "sluice.request-log.flush-interval", "50ms",
                         "sluice.health.probe-interval", "200ms");
             });
             TcpForwarder proxy = forwarder[0];
             LedgerClient client = new LedgerClient(gateway.proxyPort(), "out")) {
            gateway.admin().createBackend(aBackend().named("only").at(upstream.baseUrl()).serving("ledger", "ok"));
            String key = gateway.admin().newAppKey();
            DSLContext db = gateway.databaseDsl();
            Path spill = dataDir.resolve("spill");
            java.util.function.IntFunction<Planned> plan = n -> new Planned(n, "ledger",
                    switch (n % 3) {
                        case 0 -> Kind.JSON;
                        case 1 -> Kind.STREAM_WITH_USAGE;
                        default -> Kind.STREAM_WITHOUT_USAGE;
                    }, key);

            client.run(0, BEFORE, 16, plan);
            assertThat(client.failures).as("failures before the outage: %s", LedgerClient.sample(client.failures)).isEmpty();
            Poll.until("the first requests in request_log", Duration.ofSeconds(10), () -> count(db) == BEFORE);
            assertThat(health(gateway)).isEqualTo(200);

            long cutAt = System.nanoTime();
            proxy.cut();
            client.run(BEFORE, BEFORE + DURING, 16, plan);
            long duringMs = (System.nanoTime() - cutAt) / 1_000_000;
            assertThat(client.failures).as("failures during the outage: %s", LedgerClient.sample(client.failures)).isEmpty();
            Poll.until("spill files during the outage", Duration.ofSeconds(10), () -> !files(spill).isEmpty());
            Poll.until("/health DOWN during the outage", Duration.ofSeconds(10), () -> health(gateway) == 503);
            assertThat(count(db)).as("nothing written while the database is away").isEqualTo(BEFORE);
            System.out.printf("LedgerOutage: %d requests served during the outage in %d ms; spill files %s%n",
                    DURING, duringMs, files(spill));

            long restoredAt = System.nanoTime();
            proxy.restore();
            client.run(BEFORE + DURING, BEFORE + DURING + AFTER, 16, plan);
            assertThat(client.failures).as("failures after the outage: %s", LedgerClient.sample(client.failures)).isEmpty();
            int all = BEFORE + DURING + AFTER;
            Poll.until("all " + all + " requests in request_log", Duration.ofSeconds(60), () -> count(db) >= all);
            Poll.until("an empty spill directory", Duration.ofSeconds(10), () -> files(spill).isEmpty());
            Poll.until("/health UP after the outage", Duration.ofSeconds(10), () -> health(gateway) == 200);
            System.out.printf("LedgerOutage: caught up %d ms after the database came back%n",
                    (System.nanoTime() - restoredAt) / 1_000_000);

            List<Record> rows = db.resultQuery("""
                    select request_id, status, prompt_tokens, completion_tokens, total_tokens, usage_estimated
                    from request_log""").fetch();
            assertThat(rows).hasSize(all);
            Set<String> ids = new HashSet<>();
            Map<Integer, LedgerUpstream.Reported> reported = new HashMap<>(upstream.reported());
            long prompt = 0;
            long completion = 0;
            long total = 0;
            for (Record row : rows) {
                String id = row.get("request_id", String.class);
                assertThat(ids.add(id)).as("duplicate %s", id).isTrue();
                int n = Integer.parseInt(id.substring("out-".length()));
                assertThat(row.get("status", Integer.class)).as("status of %s", id).isEqualTo(200);
                assertThat(row.get("usage_estimated", Boolean.class)).as("estimated %s", id).isFalse();
                LedgerUpstream.Reported r = reported.get(n);
                assertThat(r).as("reported usage of %s", id).isNotNull();
                List<Integer> usage = List.of(row.get("prompt_tokens", Integer.class), row.get("completion_tokens", Integer.class),
                        row.get("total_tokens", Integer.class));
                assertThat(usage).as("usage of %s", id).containsExactly(r.prompt(), r.completion(), r.total());
                prompt += usage.get(0);
                completion += usage.get(1);
                total += usage.get(2);
            }
            assertThat(reported).hasSize(all);
            assertThat(upstream.reportedTwice()).isZero();
            assertThat(List.of(prompt, completion, total))
                    .containsExactly(upstream.promptTotal(), upstream.completionTotal(), upstream.totalTotal());
            LedgerAccuracyEndToEndTest.assertUsageMinuteMatchesRequestLog(db);
        }
    }

    private static long count(DSLContext db) {
        return db.resultQuery("select count(*) from request_log").fetchOne(0, Long.class);
    }

    private static int health(Gateway gateway) {
        return gateway.proxy("GET", "/health", null, Map.of()).statusCode();
    }

    private static List<Path> files(Path dir) {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> list = Files.list(dir)) {
            return list.toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
