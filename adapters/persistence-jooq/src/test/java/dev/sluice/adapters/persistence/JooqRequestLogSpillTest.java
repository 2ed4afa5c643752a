package dev.sluice.adapters.persistence;

import dev.sluice.adapters.persistence.testing.TestDatabase;
import dev.sluice.domain.usage.RequestRecord;
import org.jooq.impl.DSL;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;

import static dev.sluice.adapters.persistence.RequestRecordTestData.aRequestRecord;
import static dev.sluice.db.jooq.Tables.REQUEST_LOG;
import static dev.sluice.db.jooq.Tables.USAGE_MINUTE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class JooqRequestLogSpillTest {
    private static final String MOVED_TABLE = "request_log_spill_moved_away";
    private static TestDatabase db;
    private final List<JooqRequestLog> opened = new ArrayList<>();
    @TempDir
    Path dir;

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

    @AfterEach
    void closeLogs() {
        opened.forEach(JooqRequestLog::close);
    }

    @Test
    void givenTheDatabaseRefusesWrites_whenTheBufferFills_thenRecordsSpillAndAreReplayedExactlyOnce() throws IOException {
        JooqRequestLog log = open(10, 5);
        moveTableAway();
        try {
            for (int i = 0; i < 300; i++) {
                log.append(aRequestRecord().withRequestId("spill-" + i).withUsage(1, 2, 3).build());
            }
            awaitTrue(() -> log.spilled() >= 290, Duration.ofSeconds(10));
            assertTrue(log.buffered() <= 10, "memory holds at most maxBuffered, got " + log.buffered());
            assertEquals(300, log.pending());
            assertTrue(!spillFiles().isEmpty(), "a spill file appears");
            assertEquals(0, log.written());
        } finally {
            restoreTable();
        }

        log.flush();

        assertEquals(300, db.dsl().fetchCount(REQUEST_LOG, REQUEST_LOG.REQUEST_ID.like("spill-%")));
        assertEquals(300, db.dsl().fetchCount(REQUEST_LOG));
        assertEquals(1800L, db.dsl().select(DSL.sum(REQUEST_LOG.TOTAL_TOKENS).plus(DSL.sum(REQUEST_LOG.PROMPT_TOKENS))
                .plus(DSL.sum(REQUEST_LOG.COMPLETION_TOKENS))).from(REQUEST_LOG).fetchSingle().value1().longValue());
        assertAggregates(300, 900);
        assertEquals(0, log.spilled());
        assertEquals(0, log.pending());
        assertTrue(spillFiles().isEmpty(), "replayed spill files are deleted");
    }

    @Test
    void givenALeftoverSpillFile_whenALogStarts_thenItIsReplayedOnceAndDeleted() throws IOException {
        RequestRecord alreadyStored = aRequestRecord().withRequestId("left-0").withUsage(1, 1, 2).build();
        JooqRequestLog first = open(1000, 100);
        first.append(alreadyStored);
        first.flush();
        first.close();
        List<String> lines = new ArrayList<>();
        lines.add(RequestRecordLines.encode(alreadyStored)); // stored before the crash, replayed again
        for (int i = 1; i < 50; i++) {
            lines.add(RequestRecordLines.encode(aRequestRecord().withRequestId("left-" + i).withUsage(1, 1, 2).build()));
        }
        Path leftover = dir.resolve("request-log-spill-00000000000000000007.jsonl");
        Files.write(leftover, lines, StandardCharsets.UTF_8);
        Files.writeString(leftover, "{\"v\":1,\"requestId\":\"torn", StandardCharsets.UTF_8, java.nio.file.StandardOpenOption.APPEND);

        JooqRequestLog log = open(1000, 20);
        log.flush();

        assertEquals(50, db.dsl().fetchCount(REQUEST_LOG, REQUEST_LOG.REQUEST_ID.like("left-%")));
        assertAggregates(50, 100);
        assertEquals(0, log.spilled());
        assertSpillFilesDeleted();
    }

    @Test
    void givenTheDatabaseIsDownAtClose_whenClosed_thenMemoryIsSpilledAndTheNextLogReplaysIt() throws IOException {
        JooqRequestLog log = open(1000, 10);
        moveTableAway();
        try {
            for (int i = 0; i < 25; i++) {
                log.append(aRequestRecord().withRequestId("close-" + i).withUsage(2, 2, 4).build());
            }
            awaitTrue(() -> log.failedWrites() >= 1, Duration.ofSeconds(10));
            log.close();
            assertEquals(25, log.spilled());
        } finally {
            restoreTable();
        }

        JooqRequestLog next = open(1000, 10);
        next.flush();

        assertEquals(25, db.dsl().fetchCount(REQUEST_LOG));
        assertAggregates(25, 100);
        assertSpillFilesDeleted();
    }

    private void assertAggregates(long requests, long totalTokens) {
        var sums = db.dsl().select(DSL.sum(USAGE_MINUTE.REQUESTS), DSL.sum(USAGE_MINUTE.TOTAL_TOKENS)).from(USAGE_MINUTE).fetchSingle();
        assertEquals(requests, sums.value1().longValue(), "aggregated requests");
        assertEquals(totalTokens, sums.value2().longValue(), "aggregated total tokens");
    }

    /** A replayed file is deleted by the writer's next step, just after its last records are stored. */
    private void assertSpillFilesDeleted() throws IOException {
        long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(5);
        while (!spillFiles().isEmpty() && System.nanoTime() < deadline) {
            java.util.concurrent.locks.LockSupport.parkNanos(java.util.concurrent.TimeUnit.MILLISECONDS.toNanos(20));
        }
        assertTrue(spillFiles().isEmpty(), "spill files left: " + spillFiles());
    }

    private List<Path> spillFiles() throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(p -> p.getFileName().toString().startsWith("request-log-spill-")).toList();
        }
    }

    private JooqRequestLog open(int maxBuffered, int batchSize) {
        JooqRequestLog log = new JooqRequestLog(db.dsl(), Duration.ofMillis(20), batchSize, Optional.of(dir), maxBuffered,
                Duration.ofMillis(200));
        opened.add(log);
        return log;
    }

    private static void moveTableAway() {
        db.dsl().alterTable(REQUEST_LOG).renameTo(DSL.name(MOVED_TABLE)).execute();
    }

    private static void restoreTable() {
        db.dsl().alterTable(DSL.table(DSL.name(MOVED_TABLE))).renameTo(REQUEST_LOG.getUnqualifiedName()).execute();
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
}
