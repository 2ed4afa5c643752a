package dev.sluice.adapters.persistence;

import dev.sluice.adapters.persistence.testing.TestDatabase;
import dev.sluice.application.port.UsageReader.RequestFilter;
import dev.sluice.domain.usage.RequestRecord;
import org.jooq.impl.DSL;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Optional;
import java.util.Set;

import static dev.sluice.adapters.persistence.RequestRecordTestData.aRequestRecord;
import static dev.sluice.db.jooq.Tables.REQUEST_LOG;
import static dev.sluice.db.jooq.Tables.USAGE_MINUTE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RequestLogPartitionsTest {
    private static TestDatabase db;

    @BeforeAll
    static void startDatabase() {
        db = TestDatabase.create();
    }

    @AfterAll
    static void dropDatabase() {
        db.close();
    }

    @BeforeEach
    void emptyTables() {
        db.dsl().truncate(REQUEST_LOG).execute();
        db.dsl().truncate(USAGE_MINUTE).execute();
    }

    private static LocalDate today() {
        return LocalDate.now(ZoneOffset.UTC);
    }

    private static Instant noonOf(LocalDate day) {
        return day.atTime(12, 0).toInstant(ZoneOffset.UTC);
    }

    private static void write(RequestRecord... records) {
        try (JooqRequestLog log = new JooqRequestLog(db.dsl(), Duration.ofMillis(20), 100)) {
            for (RequestRecord r : records) {
                log.append(r);
            }
            log.flush();
        }
    }

    private static String partitionOf(String requestId) {
        return db.dsl().fetchValue("select tableoid::regclass::text from request_log where request_id = {0}", DSL.val(requestId))
                .toString();
    }

    private static int usageRequests() {
        return number("select coalesce(sum(requests), 0) from usage_minute");
    }

    private static int number(String sql, Object... bindings) {
        return ((Number) db.dsl().fetchValue(sql, bindings)).intValue();
    }

    private static Set<LocalDate> partitions() {
        return new RequestLogPartitions(db.dsl(), Duration.ofDays(30), 0).dayPartitions();
    }

    @Test
    void givenTheMigratedSchema_thenRequestLogIsRangePartitionedWithDefaultAndTheComingDays() {
        assertEquals("r", db.dsl().fetchValue(
                "select partstrat::text from pg_partitioned_table where partrelid = 'request_log'::regclass"));
        assertEquals(1, number("select count(*) from pg_inherits where inhparent = 'request_log'::regclass"
                + " and inhrelid = 'request_log_default'::regclass"));
        assertTrue(partitions().containsAll(Set.of(today(), today().plusDays(1), today().plusDays(7))), partitions().toString());
        assertEquals(List.of("request_id", "started_at"), db.dsl().fetch(
                "select a.attname::text from pg_index i join pg_attribute a on a.attrelid = i.indrelid and a.attnum = any(i.indkey)"
                        + " where i.indrelid = 'request_log'::regclass and i.indisprimary order by a.attnum").getValues(0, String.class));
        for (String index : List.of("request_log_started_idx", "request_log_app_idx", "request_log_backend_idx")) {
            assertEquals(1, number("select count(*) from pg_indexes where tablename = 'request_log' and indexname = {0}",
                    DSL.val(index)), index);
        }
    }

    @Test
    void givenARecordOfToday_whenWritten_thenItLandsInTodaysPartition() {
        RequestRecord record = aRequestRecord().withRequestId("today-1").build();
        write(record);
        assertEquals(RequestLogPartitions.partitionName(LocalDate.ofInstant(record.startedAt(), ZoneOffset.UTC)), partitionOf("today-1"));
    }

    @Test
    void givenTheSameRecordWrittenTwice_thenOneRowAndAggregatesCountedOnce() {
        RequestRecord record = aRequestRecord().withRequestId("twice").build();
        write(record);
        write(record);
        // repeated within one batch as well
        RequestRecord other = aRequestRecord().withRequestId("in-batch").build();
        write(other, other);

        assertEquals(1, db.dsl().fetchCount(REQUEST_LOG, REQUEST_LOG.REQUEST_ID.eq("twice")));
        assertEquals(1, db.dsl().fetchCount(REQUEST_LOG, REQUEST_LOG.REQUEST_ID.eq("in-batch")));
        assertEquals(2, usageRequests());
    }

    @Test
    void givenOldPartitions_whenMaintained_thenTheComingDaysAreCreatedAndExpiredDaysDroppedButAggregatesKept() {
        Instant now = Instant.now();
        LocalDate today = today();
        // partitions for the past days, as an earlier run would have made them
        new RequestLogPartitions(db.dsl(), Duration.ofDays(30), 7).maintain(now.minus(Duration.ofDays(5)));
        assertTrue(partitions().containsAll(Set.of(today.minusDays(5), today.minusDays(1))), partitions().toString());
        RequestRecord old = aRequestRecord().withRequestId("old").withStartedAt(noonOf(today.minusDays(5))).build();
        RequestRecord recent = aRequestRecord().withRequestId("recent").withStartedAt(noonOf(today.minusDays(1))).build();
        write(old, recent);
        assertEquals(RequestLogPartitions.partitionName(today.minusDays(5)), partitionOf("old"));

        RequestLogPartitions partitions = new RequestLogPartitions(db.dsl(), Duration.ofDays(2), 10);
        partitions.maintain(now);

        Set<LocalDate> after = partitions();
        assertTrue(after.containsAll(Set.of(today.minusDays(2), today.minusDays(1), today, today.plusDays(10))), after.toString());
        assertFalse(after.contains(today.minusDays(3)), after.toString());
        assertFalse(after.contains(today.minusDays(5)), after.toString());
        assertEquals(0, db.dsl().fetchCount(REQUEST_LOG, REQUEST_LOG.REQUEST_ID.eq("old")));
        assertEquals(1, db.dsl().fetchCount(REQUEST_LOG, REQUEST_LOG.REQUEST_ID.eq("recent")));
        // the aggregates outlive the raw log
        OffsetDateTime oldBucket = Timestamps.toColumn(old.startedAt().truncatedTo(ChronoUnit.MINUTES));
        assertEquals(1, db.dsl().fetchCount(USAGE_MINUTE, USAGE_MINUTE.BUCKET.eq(oldBucket)));
        assertEquals(2, usageRequests());

        // a second run changes nothing
        int children = number("select count(*) from pg_inherits where inhparent = 'request_log'::regclass");
        partitions.maintain(now);
        assertEquals(after, partitions());
        assertEquals(children, number("select count(*) from pg_inherits where inhparent = 'request_log'::regclass"));
        assertEquals(1, db.dsl().fetchCount(REQUEST_LOG, REQUEST_LOG.REQUEST_ID.eq("recent")));
    }

    @Test
    void givenRowsInTheDefaultPartition_whenTheirDayGetsAPartition_thenTheyAreMovedIntoIt() {
        LocalDate later = today().plusDays(40);
        RequestRecord stray = aRequestRecord().withRequestId("stray").withStartedAt(noonOf(later)).build();
        write(stray);
        assertEquals(RequestLogPartitions.DEFAULT_PARTITION, partitionOf("stray"));

        new RequestLogPartitions(db.dsl(), Duration.ofDays(365), 0).maintain(noonOf(later));

        assertEquals(RequestLogPartitions.partitionName(later), partitionOf("stray"));
        assertEquals(0, number("select count(*) from request_log_default"));
        // the attached partition has the key, so the writer stays idempotent for that day
        write(stray);
        assertEquals(1, db.dsl().fetchCount(REQUEST_LOG, REQUEST_LOG.REQUEST_ID.eq("stray")));
        assertEquals(1, usageRequests());
    }

    @Test
    void givenRecordsInSeveralPartitions_thenLookupByIdAndPagingStillWork() {
        LocalDate today = today();
        RequestRecord a = aRequestRecord().withRequestId("page-a").withStartedAt(noonOf(today).minusSeconds(3)).build();
        RequestRecord b = aRequestRecord().withRequestId("page-b").withStartedAt(noonOf(today.plusDays(1))).build();
        RequestRecord c = aRequestRecord().withRequestId("page-c").withStartedAt(noonOf(today.plusDays(2))).build();
        write(a, b, c);

        assertEquals(Optional.of(b.startedAt()), new JooqRequestLogReader(db.dsl()).find("page-b").map(RequestRecord::startedAt));
        assertEquals(Optional.empty(), new JooqRequestLogReader(db.dsl()).find("missing"));

        JooqUsageReader reader = new JooqUsageReader(db.dsl());
        Instant from = noonOf(today.minusDays(1));
        Instant to = noonOf(today.plusDays(3));
        List<RequestRecord> first = reader.requests(new RequestFilter(Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty(),
                from, to, 2, Optional.empty(), Optional.empty()));
        assertEquals(List.of("page-c", "page-b"), first.stream().map(RequestRecord::requestId).toList());
        RequestRecord last = first.getLast();
        List<RequestRecord> second = reader.requests(new RequestFilter(Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty(),
                from, to, 2, Optional.of(last.startedAt()), Optional.of(last.requestId())));
        assertEquals(List.of("page-a"), second.stream().map(RequestRecord::requestId).toList());
    }
}
