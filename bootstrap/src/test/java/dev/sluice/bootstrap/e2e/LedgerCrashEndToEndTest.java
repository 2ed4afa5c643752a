package dev.sluice.bootstrap.e2e;

import dev.sluice.adapters.persistence.testing.TestDatabase;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

import static dev.sluice.bootstrap.e2e.BackendSpec.aBackend;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What the request log (the ledger) loses when the gateway process dies. The gateway runs as a separate
 * process with a 500 ms flush interval and answers a steady, sequential stream of requests:
 * <ul>
 *   <li>killed with {@code SIGKILL} right after the last answer, it loses at most what it answered
 *       since its writer last took the queue: the requests answered within the last flush interval
 *       (plus a margin for the writer's own insert time and scheduling), never an older one;</li>
 *   <li>stopped with {@code SIGTERM}, it writes everything before it exits: nothing is missing.</li>
 * </ul>
 */
class LedgerCrashEndToEndTest {
    private static final Duration FLUSH_INTERVAL = Duration.ofMillis(500);
    /** The writer's cycle is the flush interval plus its own insert; this covers that and the scheduling jitter. */
    private static final Duration WINDOW_SLACK = Duration.ofMillis(250);
    private static final int MARGIN = 3;
    private static final int REQUESTS = 300;
    /** 100 requests per second: about 50 answered per flush interval, so the bound is far below N. */
    private static final Duration PERIOD = Duration.ofMillis(10);
    private static final String MODEL = "ledger-model";

    private StubUpstream stub;
    private TestDatabase database;
    private GatewayProcess gateway;

    @AfterEach
    void cleanUp() {
        try {
            if (gateway != null) {
                gateway.close();
            }
        } finally {
            try {
                if (stub != null) {
                    stub.close();
                }
            } finally {
                if (database != null) {
                    database.close();
                }
            }
        }
    }

    @Test
    void givenSteadyTraffic_whenTheProcessIsKilled_thenOnlyTheLastFlushIntervalIsLost() {
        Run run = startAndSend();

        gateway.kill();

        Set<String> stored = storedRequestIds();
        List<Answered> missing = run.answered.stream().filter(a -> !stored.contains(a.requestId)).toList();
        long windowStart = run.lastAnsweredNanos - FLUSH_INTERVAL.plus(WINDOW_SLACK).toNanos();
        long answeredInWindow = run.answered.stream().filter(a -> a.answeredNanos >= windowStart).count();
        long answeredInFlushInterval = run.answered.stream()
                .filter(a -> a.answeredNanos >= run.lastAnsweredNanos - FLUSH_INTERVAL.toNanos()).count();
        String summary = String.format("kill -9 after %d requests at %.1f req/s: %d missing; %d answered in the last %d ms,"
                        + " %d in the last %d ms (bound %d = that + %d)",
                REQUESTS, run.rate(), missing.size(), answeredInFlushInterval, FLUSH_INTERVAL.toMillis(), answeredInWindow,
                FLUSH_INTERVAL.plus(WINDOW_SLACK).toMillis(), answeredInWindow + MARGIN, MARGIN);
        System.out.println("[LedgerCrashEndToEndTest] " + summary);

        assertTrue(missing.size() <= answeredInWindow + MARGIN, summary + "\n" + gateway.log());
        List<Answered> olderMissing = missing.stream().filter(a -> a.answeredNanos < windowStart).toList();
        assertTrue(olderMissing.size() <= MARGIN,
                "records older than the last flush window are lost: " + olderMissing.size() + "; " + summary);
        assertTrue(answeredInWindow + MARGIN < REQUESTS, "the bound must say something: " + summary);
    }

    @Test
    void givenSteadyTraffic_whenTheProcessIsStopped_thenNothingIsLost() {
        Run run = startAndSend();

        gateway.terminate(Duration.ofSeconds(30));

        Set<String> stored = storedRequestIds();
        long missing = run.answered.stream().filter(a -> !stored.contains(a.requestId)).count();
        System.out.printf("[LedgerCrashEndToEndTest] SIGTERM after %d requests at %.1f req/s: %d missing%n",
                REQUESTS, run.rate(), missing);
        assertEquals(0, missing, "request ids missing from request_log after a graceful stop\n" + gateway.log());
    }

    private Run startAndSend() {
        database = TestDatabase.create();
        stub = StubUpstream.start();
        gateway = GatewayProcess.start(database.jdbcUrl(), database.user(), database.password(), Map.of(
                "sluice.request-log.flush-interval", FLUSH_INTERVAL.toMillis() + "ms",
                "sluice.config.refresh-interval", "1h"));
        gateway.admin().createBackend(aBackend().at(stub).serving(MODEL, "stub-ledger"));
        String key = gateway.admin().newAppKey();
        // one request outside the measurement: the first call pays for class loading and connections
        String warmUp = "ledger-warmup-" + UUID.randomUUID();
        assertEquals(200, gateway.chat(key, MODEL, warmUp), gateway.log());

        List<Answered> answered = new ArrayList<>(REQUESTS);
        long start = System.nanoTime();
        for (int i = 0; i < REQUESTS; i++) {
            long due = start + i * PERIOD.toNanos();
            long wait = due - System.nanoTime();
            if (wait > 0) {
                sleepNanos(wait);
            }
            String requestId = "ledger-" + i + "-" + UUID.randomUUID();
            int status = gateway.chat(key, MODEL, requestId);
            long now = System.nanoTime();
            assertEquals(200, status, "request " + i);
            answered.add(new Answered(requestId, now));
        }
        return new Run(answered, start, answered.getLast().answeredNanos);
    }

    private Set<String> storedRequestIds() {
        return new HashSet<>(database.dsl().resultQuery("select request_id from request_log").fetch(0, String.class));
    }

    private static void sleepNanos(long nanos) {
        try {
            Thread.sleep(Duration.ofNanos(nanos));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private record Answered(String requestId, long answeredNanos) {
    }

    private record Run(List<Answered> answered, long startNanos, long lastAnsweredNanos) {
        double rate() {
            return answered.size() / ((lastAnsweredNanos - startNanos) / 1e9);
        }
    }
}
