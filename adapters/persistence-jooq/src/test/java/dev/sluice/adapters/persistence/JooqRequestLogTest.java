package dev.sluice.adapters.persistence;

import dev.sluice.adapters.persistence.testing.TestDatabase;
import dev.sluice.db.jooq.tables.records.RequestLogRecord;
import dev.sluice.domain.usage.RequestRecord;
import org.jooq.DSLContext;
import org.jooq.ExecuteContext;
import org.jooq.ExecuteListener;
import org.jooq.impl.DSL;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BooleanSupplier;

import static dev.sluice.adapters.persistence.RequestRecordTestData.aRequestRecord;
import static dev.sluice.db.jooq.Tables.REQUEST_LOG;
import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class JooqRequestLogTest {
    private static final Duration NEVER = Duration.ofHours(1);
    private static final String MOVED_TABLE = "request_log_moved_away";

    private static TestDatabase db;
    private final List<JooqRequestLog> opened = new ArrayList<>();

    @BeforeAll
    static void startDatabase() {
        db = TestDatabase.create();
    }

    @AfterAll
    static void dropDatabase() {
        db.close();
    }

    @BeforeEach
    void emptyTable() {
        db.dsl().truncate(REQUEST_LOG).execute();
    }

    @AfterEach
    void closeLogs() {
        opened.forEach(JooqRequestLog::close);
    }

    @Test
    void givenRecordsAppendedFromSeveralThreads_whenFlushed_thenEachIsStoredExactlyOnce() throws InterruptedException {
        JooqRequestLog log = open(db.dsl(), Duration.ofMillis(50), JooqRequestLog.DEFAULT_BATCH_SIZE);
        int threads = 8;
        int perThread = 625;
        CountDownLatch start = new CountDownLatch(1);
        List<Thread> appenders = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            int thread = t;
            appenders.add(Thread.ofPlatform().start(() -> {
                awaitQuietly(start);
                for (int i = 0; i < perThread; i++) {
                    int n = thread * perThread + i;
                    log.append(aRequestRecord().withRequestId("req-" + n).withUsage(n % 7, n % 11, n % 7 + n % 11).build());
                }
            }));
        }
        start.countDown();
        for (Thread appender : appenders) {
            appender.join();
        }

        log.flush();

        int total = threads * perThread;
        long expectedTokens = 0;
        for (int n = 0; n < total; n++) {
            expectedTokens += n % 7 + n % 11;
        }
        var stored = db.dsl().select(DSL.count(), DSL.countDistinct(REQUEST_LOG.REQUEST_ID), DSL.sum(REQUEST_LOG.TOTAL_TOKENS))
                .from(REQUEST_LOG).fetchSingle();
        assertEquals(total, stored.value1());
        assertEquals(total, stored.value2());
        assertEquals(expectedTokens, stored.value3().longValue());
        assertEquals(total, log.written());
        assertEquals(0, log.pending());
    }

    @Test
    void givenARecord_whenWritten_thenEveryColumnHoldsItsValue() {
        JooqRequestLog log = open(db.dsl(), NEVER, 100);
        RequestRecord record = aRequestRecord().streamed(4_321).abortedByClient().failedWith(502, "upstream_error")
                .withUsage(5, 6, 11).build();

        log.append(record);
        log.flush();

        RequestLogRecord row = db.dsl().selectFrom(REQUEST_LOG).fetchSingle();
        assertEquals(record.requestId(), row.getRequestId());
        assertEquals(record.startedAt(), row.getStartedAt().toInstant());
        assertEquals("CHAT_COMPLETIONS", row.getEndpoint());
        assertEquals(record.appId().orElseThrow(), row.getAppId());
        assertEquals("test-app", row.getAppName());
        assertEquals("gpt-4o", row.getModel());
        assertEquals(record.backendId().orElseThrow(), row.getBackendId());
        assertEquals("test-backend", row.getBackendName());
        assertEquals(502, row.getStatus());
        assertEquals("upstream_error", row.getErrorType());
        assertEquals(12_345L, row.getLatencyUs());
        assertEquals(4_321L, row.getTtftUs());
        assertEquals(5, row.getPromptTokens());
        assertEquals(6, row.getCompletionTokens());
        assertEquals(11, row.getTotalTokens());
        assertTrue(row.getStream());
        assertTrue(row.getClientAborted());
    }

    @Test
    void givenUsageTheBackendDidNotReport_whenWritten_thenTheTokenColumnsAreNullNotZero() {
        JooqRequestLog log = open(db.dsl(), NEVER, 100);

        log.append(aRequestRecord().withRequestId("no-usage").withoutUsage().withoutAppOrBackend().build());
        log.flush();

        RequestLogRecord row = db.dsl().selectFrom(REQUEST_LOG).fetchSingle();
        assertNull(row.getPromptTokens());
        assertNull(row.getCompletionTokens());
        assertNull(row.getTotalTokens());
        assertNull(row.getTtftUs());
        assertNull(row.getAppId());
        assertNull(row.getBackendName());
        assertEquals(0, db.dsl().fetchCount(REQUEST_LOG, REQUEST_LOG.TOTAL_TOKENS.eq(0)));
    }

    @Test
    void givenTheSameRequestIdTwice_whenWritten_thenOneRowIsStored() {
        JooqRequestLog log = open(db.dsl(), NEVER, 100);
        // the key is (request_id, started_at) since V6: a retried write carries the same start time
        java.time.Instant startedAt = java.time.Instant.now().truncatedTo(java.time.temporal.ChronoUnit.MICROS);

        // twice in one batch
        log.append(aRequestRecord().withRequestId("dup").withStartedAt(startedAt).withUsage(1, 1, 2).build());
        log.append(aRequestRecord().withRequestId("dup").withStartedAt(startedAt).withUsage(9, 9, 18).build());
        log.flush();
        // and again in a later batch
        log.append(aRequestRecord().withRequestId("dup").withStartedAt(startedAt).withUsage(7, 7, 14).build());
        log.flush();

        assertEquals(1, db.dsl().fetchCount(REQUEST_LOG));
        assertEquals(2, db.dsl().select(REQUEST_LOG.TOTAL_TOKENS).from(REQUEST_LOG).fetchSingle().value1(),
                "the first write wins");
        assertEquals(0, log.pending());
    }

    @Test
    void givenFewerRecordsThanABatch_whenFlushed_thenTheyAreWrittenWithOneInsert() {
        List<String> statements = new CopyOnWriteArrayList<>();
        DSLContext counting = db.dsl().configuration().derive(new ExecuteListener() {
            @Override
            public void executeEnd(ExecuteContext ctx) {
                statements.add(ctx.sql().toLowerCase(java.util.Locale.ROOT));
            }
        }).dsl();
        JooqRequestLog log = open(counting, NEVER, JooqRequestLog.DEFAULT_BATCH_SIZE);

        for (int i = 0; i < 999; i++) {
            log.append(aRequestRecord().build());
        }
        log.flush();

        // one batch: the request log rows go in with one prepared unnest insert (plain JDBC, so not seen by
        // this jOOQ listener), then one upsert each of the minute, hour and day aggregates
        assertEquals(1, statements.stream().filter(sql -> sql.startsWith("insert into \"usage_minute\"")).count(), statements.toString());
        assertEquals(1, statements.stream().filter(sql -> sql.startsWith("insert into \"usage_hour\"")).count(), statements.toString());
        assertEquals(1, statements.stream().filter(sql -> sql.startsWith("insert into \"usage_day\"")).count(), statements.toString());
        assertEquals(3, statements.size(), statements.toString());
        assertEquals(999, db.dsl().fetchCount(REQUEST_LOG));
    }

    @Test
    void givenAFullBatch_whenAppended_thenItIsWrittenWithoutWaitingForTheInterval() {
        JooqRequestLog log = open(db.dsl(), NEVER, 10);

        for (int i = 0; i < 10; i++) {
            log.append(aRequestRecord().build());
        }

        awaitTrue(() -> log.written() == 10, Duration.ofSeconds(5));
        assertEquals(10, db.dsl().fetchCount(REQUEST_LOG));
    }

    @Test
    void givenRecordsBelowABatch_whenTheIntervalPasses_thenTheyAreWrittenWithoutAFlush() {
        JooqRequestLog log = open(db.dsl(), Duration.ofMillis(100), 1000);

        log.append(aRequestRecord().build());

        awaitTrue(() -> log.written() == 1, Duration.ofSeconds(5));
    }

    @Test
    void givenQueuedRecords_whenClosed_thenTheyAreWrittenAndTheWriterStops() {
        JooqRequestLog log = open(db.dsl(), NEVER, 1000);
        for (int i = 0; i < 25; i++) {
            log.append(aRequestRecord().build());
        }
        assertEquals(0, db.dsl().fetchCount(REQUEST_LOG), "nothing is written before the interval or a full batch");

        log.close();

        assertEquals(25, db.dsl().fetchCount(REQUEST_LOG));
        assertEquals(0, log.pending());
        assertFalse(log.writerThread().isAlive());
        assertDoesNotThrow(() -> log.append(aRequestRecord().build()), "append after close is ignored, not thrown");
        assertDoesNotThrow(log::close, "close twice");
    }

    @Test
    void givenTheDatabaseRefusesWrites_whenItRecovers_thenNothingIsLost() {
        JooqRequestLog log = open(db.dsl(), Duration.ofMillis(50), 20, Duration.ofMillis(200));
        db.dsl().alterTable(REQUEST_LOG).renameTo(DSL.name(MOVED_TABLE)).execute();
        try {
            for (int i = 0; i < 100; i++) {
                log.append(aRequestRecord().withRequestId("retry-" + i).build());
            }
            awaitTrue(() -> log.failedWrites() >= 3, Duration.ofSeconds(10));
            assertEquals(100, log.pending(), "a failed batch is kept");
            assertEquals(0, log.written());
        } finally {
            db.dsl().alterTable(DSL.table(DSL.name(MOVED_TABLE))).renameTo(REQUEST_LOG.getUnqualifiedName()).execute();
        }

        log.flush();

        assertEquals(100, db.dsl().fetchCount(REQUEST_LOG));
        assertEquals(100, db.dsl().fetchCount(REQUEST_LOG, REQUEST_LOG.REQUEST_ID.like("retry-%")));
        assertEquals(0, log.pending());
    }

    @Test
    void givenTextTooLongForItsColumnOrHoldingNul_whenWritten_thenTheRowIsStoredTrimmed() {
        JooqRequestLog log = open(db.dsl(), NEVER, 100);
        String longModel = "m".repeat(199) + "🔑" + "overflow";

        log.append(aRequestRecord().withRequestId("weird-text").withModel(longModel).withAppName("nul\u0000inside").build());
        log.append(aRequestRecord().withRequestId("after-it").build());
        log.flush();

        RequestLogRecord row = db.dsl().selectFrom(REQUEST_LOG).where(REQUEST_LOG.REQUEST_ID.eq("weird-text")).fetchSingle();
        assertEquals("m".repeat(199) + "🔑", row.getModel());
        assertEquals("nulinside", row.getAppName());
        assertEquals(2, db.dsl().fetchCount(REQUEST_LOG));
    }

    @Test
    void appendIgnoresNullAndNeverThrows() {
        JooqRequestLog log = open(db.dsl(), NEVER, 100);

        assertDoesNotThrow(() -> log.append(null));

        assertEquals(0, log.pending());
    }

    @Test
    void theWriterIsOneNamedDaemonThread() {
        JooqRequestLog log = open(db.dsl(), NEVER, 100);

        Thread writer = log.writerThread();

        assertTrue(writer.isDaemon());
        assertFalse(writer.isVirtual());
        assertEquals("sluice-request-log", writer.getName());
    }

    private JooqRequestLog open(DSLContext dsl, Duration flushInterval, int batchSize) {
        return open(dsl, flushInterval, batchSize, JooqRequestLog.DEFAULT_MAX_BACKOFF);
    }

    private JooqRequestLog open(DSLContext dsl, Duration flushInterval, int batchSize, Duration maxBackoff) {
        JooqRequestLog log = new JooqRequestLog(dsl, flushInterval, batchSize, maxBackoff);
        opened.add(log);
        return log;
    }

    private static void awaitTrue(BooleanSupplier condition, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("condition not met within " + timeout);
            }
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
            }
        }
    }

    private static void awaitQuietly(CountDownLatch latch) {
        try {
            latch.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
