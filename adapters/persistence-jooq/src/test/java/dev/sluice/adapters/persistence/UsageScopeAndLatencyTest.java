package dev.sluice.adapters.persistence;

import dev.sluice.adapters.persistence.testing.TestDatabase;
import dev.sluice.application.port.UsageReader;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Optional;
import java.util.Set;

import static dev.sluice.adapters.persistence.RequestRecordTestData.aRequestRecord;
import static dev.sluice.db.jooq.Tables.REQUEST_LOG;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Usage of one backend, app or model only, and latency percentiles read from the request log. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class UsageScopeAndLatencyTest {
    private static final Instant HOUR = Instant.parse("2031-03-04T10:00:00Z");

    private TestDatabase db;
    private JooqUsageReader reader;

    @BeforeAll
    void start() {
        db = TestDatabase.create();
        reader = new JooqUsageReader(db.dsl());
        JooqRequestLog log = new JooqRequestLog(db.dsl(), Duration.ofMillis(20), 1000);
        // 100 requests on "scope-a" by app "scope-x" with latencies 1..100 ms in the first hour's first minute
        for (int n = 1; n <= 100; n++) {
            log.append(aRequestRecord().withRequestId("scope-a-" + n).withStartedAt(HOUR.plusMillis(n))
                    .withBackendName("scope-a").withAppName("scope-x").withModel("scope-m1")
                    .withLatencyMicros(n * 1000L).withUsage(1, 2, 3).build());
        }
        // 10 on "scope-b" by app "scope-y", streamed, an hour later, 500 ms each, TTFT 50 ms
        for (int n = 1; n <= 10; n++) {
            log.append(aRequestRecord().withRequestId("scope-b-" + n).withStartedAt(HOUR.plus(Duration.ofMinutes(61)))
                    .withBackendName("scope-b").withAppName("scope-y").withModel("scope-m2")
                    .withLatencyMicros(500_000).streamed(50_000).withUsage(10, 20, 30).build());
        }
        log.close();
    }

    @AfterAll
    void stop() {
        db.close();
    }

    private UsageReader.UsageQuery query(UsageReader.Bucket bucket) {
        return new UsageReader.UsageQuery(HOUR, HOUR.plus(Duration.ofHours(3)), Set.of(UsageReader.GroupBy.APP), bucket);
    }

    @Test
    void givenAScope_thenOnlyItsRowsCount() {
        for (UsageReader.Bucket bucket : UsageReader.Bucket.values()) {
            List<UsageReader.UsageRow> onlyA = reader.usage(query(bucket).within(
                    new UsageReader.Scope(Optional.of("scope-a"), Optional.empty(), Optional.empty())));
            assertEquals(List.of("scope-x"), onlyA.stream().map(UsageReader.UsageRow::app).distinct().toList(), bucket.name());
            assertEquals(100, onlyA.stream().mapToLong(UsageReader.UsageRow::requests).sum(), bucket.name());

            List<UsageReader.UsageRow> onlyM2 = reader.usage(query(bucket).within(
                    new UsageReader.Scope(Optional.empty(), Optional.of("scope-y"), Optional.of("scope-m2"))));
            assertEquals(300, onlyM2.stream().mapToLong(UsageReader.UsageRow::totalTokens).sum(), bucket.name());

            List<UsageReader.UsageRow> none = reader.usage(query(bucket).within(
                    new UsageReader.Scope(Optional.of("scope-a"), Optional.of("scope-y"), Optional.empty())));
            assertTrue(none.isEmpty(), bucket.name());
        }
    }

    @Test
    void latencyPercentilesPerBucketAndOverall() {
        UsageReader.Latency all = reader.latency(query(UsageReader.Bucket.HOUR));
        assertEquals(2, all.series().size());
        UsageReader.LatencyRow first = all.series().getFirst();
        assertEquals(HOUR, first.bucket());
        assertEquals(100, first.requests());
        assertEquals(Optional.of(50.5), first.latencyP50Ms());
        assertEquals(Optional.of(95.1), first.latencyP95Ms());
        assertEquals(Optional.empty(), first.ttftP50Ms(), "no streamed request in that hour");
        UsageReader.LatencyRow second = all.series().get(1);
        assertEquals(HOUR.plus(Duration.ofHours(1)), second.bucket());
        assertEquals(Optional.of(500.0), second.latencyP50Ms());
        assertEquals(Optional.of(50.0), second.ttftP95Ms());
        assertEquals(110, all.total().requests());
        assertEquals(null, all.total().bucket());
        assertEquals(1.0, all.sampled(), "a small range is read whole");

        UsageReader.Latency onlyB = reader.latency(query(UsageReader.Bucket.MINUTE).within(
                new UsageReader.Scope(Optional.of("scope-b"), Optional.empty(), Optional.empty())));
        assertEquals(1, onlyB.series().size());
        assertEquals(HOUR.plus(Duration.ofMinutes(61)).truncatedTo(ChronoUnit.MINUTES), onlyB.series().getFirst().bucket());
        assertEquals(10, onlyB.total().requests());
        assertEquals(Optional.of(500.0), onlyB.total().latencyP95Ms());
    }

    @Test
    void givenAModel_thenTheRequestLogPageHoldsOnlyItsRequests() {
        var page = reader.requests(new UsageReader.RequestFilter(Optional.empty(), Optional.empty(), Optional.of("scope-m2"),
                Optional.empty(), HOUR, HOUR.plus(Duration.ofHours(3)), 50, Optional.empty(), Optional.empty()));
        assertEquals(10, page.size());
        assertTrue(page.stream().allMatch(r -> r.model().orElseThrow().equals("scope-m2")));
    }

    @Test
    void givenARangeWithMoreRequestsThanAreReadWhole_thenTheRequestLogIsSampled_andTheAnswerSaysHowMuch() {
        // 50 000 rows in one day of their own, latencies uniform over 1..1000 ms, in random order on disk
        Instant day = Instant.parse("2031-05-01T00:00:00Z");
        db.dsl().execute("""
                INSERT INTO request_log (request_id, started_at, endpoint, model, backend_name, app_name, status, latency_us,
                                         stream, client_aborted, attempt_count, attempts, usage_estimated)
                SELECT 'sample-' || i, timestamptz '2031-05-01 00:00:00+00' + make_interval(secs => i),
                       'CHAT_COMPLETIONS', 'sample-m', 'sample-b', 'sample-app', 200, (1 + (i * 7919) % 1000) * 1000,
                       false, false, 1, '[]'::jsonb, false
                FROM generate_series(0, 49999) AS i ORDER BY random()""");
        UsageReader.UsageQuery query = new UsageReader.UsageQuery(day, day.plus(Duration.ofDays(1)), Set.of(),
                UsageReader.Bucket.HOUR, new UsageReader.Scope(Optional.of("sample-b"), Optional.empty(), Optional.empty()));

        // as if the aggregates counted 20 times as many: a 5 % sample
        UsageReader.Latency sampled = LatencyPercentiles.read(db.dsl(), query, 20 * LatencyPercentiles.EXACT_UP_TO,
                REQUEST_LOG.BACKEND_NAME.eq("sample-b"));

        assertEquals(0.05, sampled.sampled(), 1e-9);
        long measured = sampled.total().requests();
        assertTrue(measured > 0 && measured < 50_000, "a part of the rows was read: " + measured);
        double p50 = sampled.total().latencyP50Ms().orElseThrow();
        assertTrue(p50 > 400 && p50 < 600, "the sample's median is near the true 500 ms: " + p50);
        assertEquals(1.0, LatencyPercentiles.read(db.dsl(), query, 50_000, REQUEST_LOG.BACKEND_NAME.eq("sample-b")).sampled());
    }

    @Test
    void givenAnOrderAndALimit_thenTheTopRowsComeBack_withTheCountAndSumsOfAll() {
        UsageReader.UsageTop top = reader.top(query(UsageReader.Bucket.HOUR),
                new UsageReader.Order(UsageReader.Column.REQUESTS, true), 1);

        assertEquals(List.of("scope-x"), top.rows().stream().map(UsageReader.UsageRow::app).toList());
        assertEquals(2, top.rowCount());
        assertEquals(110, top.requests());
        assertEquals(600, top.totalTokens());

        UsageReader.UsageTop fewest = reader.top(query(UsageReader.Bucket.HOUR),
                new UsageReader.Order(UsageReader.Column.REQUESTS, false), 5);
        assertEquals(List.of("scope-y", "scope-x"), fewest.rows().stream().map(UsageReader.UsageRow::app).toList());

        UsageReader.UsageTop none = reader.top(new UsageReader.UsageQuery(HOUR.minus(Duration.ofDays(9)),
                HOUR.minus(Duration.ofDays(8)), Set.of(), UsageReader.Bucket.DAY), new UsageReader.Order(UsageReader.Column.BUCKET, false), 5);
        assertEquals(0, none.rowCount());
        assertEquals(List.of(), none.rows());
    }

    @Test
    void givenMinutesGroupedByEverything_thenEachStoredRowIsOneGroup() {
        UsageReader.UsageQuery byMinute = new UsageReader.UsageQuery(HOUR, HOUR.plus(Duration.ofHours(3)),
                Set.of(UsageReader.GroupBy.BACKEND, UsageReader.GroupBy.APP, UsageReader.GroupBy.MODEL), UsageReader.Bucket.MINUTE);

        List<UsageReader.UsageRow> rows = reader.usage(byMinute);
        UsageReader.UsageTop top = reader.top(byMinute, new UsageReader.Order(UsageReader.Column.TOTAL_TOKENS, true), 1);

        assertEquals(List.of("scope-a", "scope-b"), rows.stream().map(UsageReader.UsageRow::backend).toList());
        assertEquals(List.of(100L, 10L), rows.stream().map(UsageReader.UsageRow::requests).toList());
        assertEquals(2, top.rowCount());
        assertEquals(110, top.requests());
    }
}
