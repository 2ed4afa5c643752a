package dev.sluice.bootstrap.e2e;

import dev.sluice.bootstrap.e2e.LedgerClient.Kind;
import dev.sluice.bootstrap.e2e.LedgerClient.Planned;
import org.jooq.DSLContext;
import org.jooq.Record;
import org.jooq.Result;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static dev.sluice.bootstrap.e2e.BackendSpec.aBackend;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The usage ledger is exact under load: 20 000 mixed chat completions (JSON, streams with and without
 * the usage chunk, failovers after a 503, streams the client hangs up on) against a backend that
 * reports a known usage per request and keeps its own books. Afterwards every request is in
 * {@code request_log} exactly once, the reported usage adds up to the backend's books to the token,
 * and {@code usage_minute} adds up to {@code request_log}. Client-aborted streams carry an estimate
 * ({@code usage_estimated}) and are left out of the exact comparison.
 */
class LedgerAccuracyEndToEndTest {
    /** All 20 000: sent in 11-18 s on 2 cores and logged 0.1-0.3 s later (the test prints the figures). */
    private static final int REQUESTS = 20_000;
    private static final int CONCURRENCY = 48;

    @Test
    void everyReportedTokenIsInTheLedgerExactlyOnce() {
        try (LedgerUpstream primary = LedgerUpstream.start();
             LedgerUpstream secondary = LedgerUpstream.start();
             Gateway gateway = Gateway.start(Map.of(
                     "sluice.routing.backoff-base", "1ms",
                     "sluice.routing.backoff-max", "2ms",
                     // a backend that fails every second request must stay in rotation
                     "sluice.health.circuit.consecutive-failures", 1_000_000,
                     "sluice.health.circuit.failure-ratio", 1.0,
                     "sluice.health.circuit.minimum-requests", 1_000_000,
                     "datasources.default.maximum-pool-size", 8,
                     "sluice.request-log.flush-interval", "100ms"))) {
            gateway.admin().createBackend(aBackend().named("primary").at(primary.baseUrl()).withPriority(1).withRetry(0)
                    .serving("ledger", "ok").serving("ledger-fo", "fail-even").serving("ledger-abort", "slow-stream"));
            gateway.admin().createBackend(aBackend().named("secondary").at(secondary.baseUrl()).withPriority(2).withRetry(0)
                    .serving("ledger-fo", "ok"));
            String[] keys = {gateway.admin().newAppKey(), gateway.admin().newAppKey()};

            Map<Integer, Kind> kinds = new HashMap<>();
            Set<Integer> aborted = new HashSet<>();
            for (int n = 0; n < REQUESTS; n++) {
                kinds.put(n, kind(n));
                if (kinds.get(n) == Kind.ABORTED_STREAM) {
                    aborted.add(n);
                }
            }
            long started = System.nanoTime();
            try (LedgerClient client = new LedgerClient(gateway.proxyPort(), "led")) {
                client.run(0, REQUESTS, CONCURRENCY, n -> new Planned(n, model(n), kinds.get(n), keys[(n / 7) % 2]));
                long sentMs = (System.nanoTime() - started) / 1_000_000;
                assertThat(client.failures).as("failed client requests (%d), e.g. %s", client.failures.size(),
                        LedgerClient.sample(client.failures)).isEmpty();

                DSLContext db = gateway.databaseDsl();
                Poll.until("request_log to hold " + REQUESTS + " rows", Duration.ofSeconds(60),
                        () -> db.resultQuery("select count(*) from request_log").fetchOne(0, Long.class) >= REQUESTS);
                long loggedMs = (System.nanoTime() - started) / 1_000_000;
                System.out.printf("LedgerAccuracy: %d requests sent in %d ms (%.0f/s), all logged after %d ms%n",
                        REQUESTS, sentMs, REQUESTS * 1000.0 / sentMs, loggedMs);

                Result<Record> rows = db.resultQuery("""
                        select request_id, status, prompt_tokens, completion_tokens, total_tokens, usage_estimated,
                               client_aborted, backend_name from request_log""").fetch();
                assertThat(rows).hasSize(REQUESTS);
                Map<Integer, LedgerUpstream.Reported> reported = new HashMap<>(primary.reported());
                secondary.reported().forEach((n, r) -> assertThat(reported.put(n, r)).as("reported by both: %d", n).isNull());
                assertThat(primary.reportedTwice() + secondary.reportedTwice()).isZero();

                Set<String> ids = new HashSet<>();
                long prompt = 0;
                long completion = 0;
                long total = 0;
                int estimated = 0;
                Set<Integer> abortStatuses = new HashSet<>();
                for (Record row : rows) {
                    String id = row.get("request_id", String.class);
                    assertThat(ids.add(id)).as("duplicate %s", id).isTrue();
                    int n = Integer.parseInt(id.substring("led-".length()));
                    Integer p = row.get("prompt_tokens", Integer.class);
                    Integer c = row.get("completion_tokens", Integer.class);
                    Integer t = row.get("total_tokens", Integer.class);
                    if (aborted.contains(n)) {
                        abortStatuses.add(row.get("status", Integer.class));
                        assertThat(row.get("usage_estimated", Boolean.class)).as("estimated %s", id).isTrue();
                        assertThat(row.get("client_aborted", Boolean.class)).as("aborted %s", id).isTrue();
                        assertThat(p).as("estimated prompt of %s", id).isNotNull();
                        assertThat(c).as("estimated completion of %s", id).isNotNull();
                        assertThat(t).as("estimated total of %s", id).isEqualTo(p + c);
                        estimated++;
                        continue;
                    }
                    assertThat(row.get("status", Integer.class)).as("status of %s", id).isEqualTo(200);
                    assertThat(row.get("usage_estimated", Boolean.class)).as("estimated %s", id).isFalse();
                    LedgerUpstream.Reported r = reported.get(n);
                    assertThat(r).as("the backend reported a usage for %s (%s)", id, kinds.get(n)).isNotNull();
                    assertThat(List.of(p, c, t)).as("usage of %s (%s)", id, kinds.get(n))
                            .containsExactly(r.prompt(), r.completion(), r.total());
                    prompt += p;
                    completion += c;
                    total += t;
                }
                assertThat(estimated).isEqualTo(aborted.size()).isPositive();
                System.out.printf("LedgerAccuracy: %d aborted streams logged with status %s%n", estimated, abortStatuses);
                assertThat(reported).hasSize(REQUESTS - aborted.size());
                assertThat(prompt).isEqualTo(primary.promptTotal() + secondary.promptTotal());
                assertThat(completion).isEqualTo(primary.completionTotal() + secondary.completionTotal());
                assertThat(total).isEqualTo(primary.totalTotal() + secondary.totalTotal());
                // failed over: the even "ledger-fo" requests were answered by the secondary
                assertThat(secondary.reported()).isNotEmpty();
                assertThat(secondary.reported().keySet()).allMatch(n -> n % 2 == 0);

                assertUsageMinuteMatchesRequestLog(db);
            }
        }
    }

    /** {@code usage_minute} holds exactly the requests and tokens of {@code request_log}, per backend × app × model × minute. */
    static void assertUsageMinuteMatchesRequestLog(DSLContext db) {
        Result<Record> fromLog = db.resultQuery("""
                select date_trunc('minute', started_at) as bucket, coalesce(backend_name, '') as backend,
                       coalesce(app_name, '') as app, coalesce(model, '') as model, count(*) as requests,
                       coalesce(sum(prompt_tokens), 0) as prompt, coalesce(sum(completion_tokens), 0) as completion,
                       coalesce(sum(total_tokens), 0) as total
                from request_log group by 1, 2, 3, 4 order by 1, 2, 3, 4""").fetch();
        Result<Record> minutes = db.resultQuery("""
                select bucket, backend_name as backend, app_name as app, model, requests,
                       prompt_tokens as prompt, completion_tokens as completion, total_tokens as total
                from usage_minute order by 1, 2, 3, 4""").fetch();
        assertThat(minutes.map(LedgerAccuracyEndToEndTest::line))
                .as("usage_minute against request_log")
                .containsExactlyElementsOf(fromLog.map(LedgerAccuracyEndToEndTest::line));
        Record sums = db.resultQuery("""
                select (select count(*) from request_log) as log_requests,
                       (select coalesce(sum(total_tokens), 0) from request_log) as log_total,
                       (select coalesce(sum(requests), 0) from usage_minute) as minute_requests,
                       (select coalesce(sum(total_tokens), 0) from usage_minute) as minute_total""").fetchOne();
        assertThat(sums.get("minute_requests", Long.class)).isEqualTo(sums.get("log_requests", Long.class));
        assertThat(sums.get("minute_total", Long.class)).isEqualTo(sums.get("log_total", Long.class));
    }

    private static String line(Record r) {
        return r.get("bucket", java.time.OffsetDateTime.class).toInstant() + " " + r.get("backend", String.class) + " "
                + r.get("app", String.class) + " " + r.get("model", String.class) + " requests=" + r.get("requests", Long.class)
                + " prompt=" + r.get("prompt", Long.class) + " completion=" + r.get("completion", Long.class)
                + " total=" + r.get("total", Long.class);
    }

    /** 59 % JSON, 25 % streams with the usage chunk, 15 % without; 30 % on the failover model; 1 % aborted streams. */
    static Kind kind(int n) {
        int slot = n % 20;
        if (slot == 19 && n % 100 == 19) {
            return Kind.ABORTED_STREAM;
        }
        return switch (slot) {
            case 8, 9, 10, 16, 17 -> Kind.STREAM_WITH_USAGE;
            case 11, 12, 18 -> Kind.STREAM_WITHOUT_USAGE;
            default -> Kind.JSON;
        };
    }

    static String model(int n) {
        if (kind(n) == Kind.ABORTED_STREAM) {
            return "ledger-abort";
        }
        int slot = n % 20;
        return slot >= 13 && slot <= 18 ? "ledger-fo" : "ledger";
    }
}
