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
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.LongStream;

import static dev.sluice.adapters.persistence.RequestRecordTestData.aRequestRecord;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** The per-minute usage aggregates are written with the request log, exactly once, and read back by the usage reader. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class UsageAggregatesTest {
    private TestDatabase db;

    @BeforeAll
    void start() {
        db = TestDatabase.create();
    }

    @AfterAll
    void stop() {
        db.close();
    }

    @Test
    void givenABatchWrittenTwice_thenTheAggregatesCountItOnce() {
        JooqRequestLog log = new JooqRequestLog(db.dsl(), Duration.ofMillis(20), 100);
        // the key is (request_id, started_at) since V6: a retried write carries the same start time
        Instant startedAt = Instant.now().truncatedTo(java.time.temporal.ChronoUnit.MICROS);
        for (int n = 0; n < 50; n++) {
            log.append(aRequestRecord().withRequestId("agg-" + n).withStartedAt(startedAt).withModel("m-agg").withAppName("app-agg")
                    .withUsage(10, 5, 15).build());
        }
        log.flush();
        // the same records again (a retried write): the request log ignores them, so must the aggregates
        for (int n = 0; n < 50; n++) {
            log.append(aRequestRecord().withRequestId("agg-" + n).withStartedAt(startedAt).withModel("m-agg").withAppName("app-agg")
                    .withUsage(10, 5, 15).build());
        }
        log.close();

        JooqUsageReader reader = new JooqUsageReader(db.dsl());
        List<UsageReader.UsageRow> rows = reader.usage(new UsageReader.UsageQuery(Instant.now().minus(Duration.ofDays(1)),
                Instant.now().plus(Duration.ofDays(1)), Set.of(UsageReader.GroupBy.MODEL), UsageReader.Bucket.DAY));
        UsageReader.UsageRow row = rows.stream().filter(r -> "m-agg".equals(r.model())).findFirst().orElseThrow();
        assertEquals(50, row.requests());
        assertEquals(500, row.promptTokens());
        assertEquals(250, row.completionTokens());
        assertEquals(750, row.totalTokens());

        // whole days and hours are read from the daily and hourly rollups: the same totals
        Instant today = Instant.now().truncatedTo(java.time.temporal.ChronoUnit.DAYS);
        for (UsageReader.Bucket bucket : List.of(UsageReader.Bucket.DAY, UsageReader.Bucket.HOUR)) {
            UsageReader.UsageRow rolled = reader.usage(new UsageReader.UsageQuery(today.minus(Duration.ofDays(1)),
                            today.plus(Duration.ofDays(2)), Set.of(UsageReader.GroupBy.MODEL), bucket)).stream()
                    .filter(r -> "m-agg".equals(r.model()))
                    .reduce((a, b) -> new UsageReader.UsageRow(a.bucket(), null, null, a.model(), a.requests() + b.requests(),
                            a.errors() + b.errors(), a.promptTokens() + b.promptTokens(),
                            a.completionTokens() + b.completionTokens(), a.totalTokens() + b.totalTokens()))
                    .orElseThrow();
            assertEquals(50, rolled.requests(), bucket.name());
            assertEquals(750, rolled.totalTokens(), bucket.name());
        }
    }

    @Test
    void theRequestLogIsPagedNewestFirstWithACursor() {
        JooqRequestLog log = new JooqRequestLog(db.dsl(), Duration.ofMillis(20), 100);
        for (int n = 0; n < 5; n++) {
            log.append(aRequestRecord().withRequestId("page-" + n).withAppName("app-page").build());
        }
        log.close();
        JooqUsageReader reader = new JooqUsageReader(db.dsl());
        Instant from = Instant.now().minus(Duration.ofDays(1));
        Instant to = Instant.now().plus(Duration.ofDays(1));
        var first = reader.requests(new UsageReader.RequestFilter(Optional.of("app-page"), Optional.empty(), Optional.empty(), Optional.empty(),
                from, to, 3, Optional.empty(), Optional.empty()));
        assertEquals(3, first.size());
        var last = first.getLast();
        var second = reader.requests(new UsageReader.RequestFilter(Optional.of("app-page"), Optional.empty(), Optional.empty(), Optional.empty(),
                from, to, 3, Optional.of(last.startedAt()), Optional.of(last.requestId())));
        assertEquals(2, second.size());
        assertEquals(5, first.size() + second.size());
    }

    @Test
    void givenARaggedRange_whenReadByDayAndByHour_thenTheRollupsAndTheMinutesGiveTheSameFigures() {
        JooqRequestLog log = new JooqRequestLog(db.dsl(), Duration.ofMillis(20), 100);
        Instant base = Instant.parse("2026-10-01T00:00:00Z");
        // one request every 37 minutes over three days, 10 prompt + 5 completion tokens each
        int n = 0;
        for (Instant t = base; t.isBefore(base.plus(Duration.ofDays(3))); t = t.plus(Duration.ofMinutes(37))) {
            log.append(aRequestRecord().withRequestId("ragged-" + n++).withStartedAt(t).withModel("m-ragged")
                    .withAppName("app-ragged").withUsage(10, 5, 15).build());
        }
        log.close();
        JooqUsageReader reader = new JooqUsageReader(db.dsl());
        Instant from = base.plus(Duration.ofHours(5)).plus(Duration.ofMinutes(13));
        Instant to = base.plus(Duration.ofDays(2)).plus(Duration.ofHours(19)).plus(Duration.ofMinutes(41));
        UsageReader.Scope scope = new UsageReader.Scope(Optional.empty(), Optional.of("app-ragged"), Optional.empty());

        for (UsageReader.Bucket bucket : List.of(UsageReader.Bucket.DAY, UsageReader.Bucket.HOUR)) {
            List<UsageReader.UsageRow> rolled = reader.usage(new UsageReader.UsageQuery(from, to, Set.of(), bucket, scope));
            Map<Instant, Long> fromMinutes = new TreeMap<>();
            reader.usage(new UsageReader.UsageQuery(from, to, Set.of(), UsageReader.Bucket.MINUTE, scope)).forEach(r ->
                    fromMinutes.merge(r.bucket().truncatedTo(bucket == UsageReader.Bucket.DAY
                            ? ChronoUnit.DAYS : ChronoUnit.HOURS), r.requests(), Long::sum));
            Map<Instant, Long> read = new TreeMap<>();
            rolled.forEach(r -> read.put(r.bucket(), r.requests()));
            assertEquals(fromMinutes, read, bucket + " buckets");
            long expected = LongStream.range(0, n)
                    .mapToObj(i -> base.plus(Duration.ofMinutes(37 * i)))
                    .filter(t -> !t.isBefore(from) && t.isBefore(to)).count();
            assertEquals(expected, read.values().stream().mapToLong(Long::longValue).sum());
            assertEquals(expected * 10, rolled.stream().mapToLong(UsageReader.UsageRow::promptTokens).sum());
        }
    }
}
