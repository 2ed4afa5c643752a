package dev.sluice.adapters.persistence;

import dev.sluice.application.port.RequestLog;
import dev.sluice.domain.usage.RequestRecord;
import org.jooq.DSLContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.Objects;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

import static dev.sluice.db.jooq.Tables.REQUEST_LOG;

/**
 * Writes the request log in the background. {@link #append} only puts the record on a lock-free
 * queue, so it never blocks or throws on the caller's (event-loop) thread. One daemon thread,
 * {@value #THREAD_NAME}, writes what is queued at least every flush interval, and at once when a
 * full batch is waiting, each batch as one multi-row {@code INSERT ... ON CONFLICT (request_id)
 * DO NOTHING}, so a batch written twice is stored once. A batch the database refuses is kept and
 * retried with backoff; records are not dropped while the log is open.
 */
public final class JooqRequestLog implements RequestLog, AutoCloseable {
    public static final Duration DEFAULT_FLUSH_INTERVAL = Duration.ofMillis(200);
    public static final int DEFAULT_BATCH_SIZE = 1000;
    /** PostgreSQL takes at most 32767 bind values in one statement. */
    public static final int MAX_BATCH_SIZE = Short.MAX_VALUE / REQUEST_LOG.fields().length;
    static final String THREAD_NAME = "sluice-request-log";
    static final Duration DEFAULT_MAX_BACKOFF = Duration.ofSeconds(30);
    private static final Duration FLUSH_TIMEOUT = Duration.ofSeconds(10);
    private static final long MIN_BACKOFF_NANOS = TimeUnit.MILLISECONDS.toNanos(50);
    private static final long CLOSING_BACKOFF_NANOS = TimeUnit.MILLISECONDS.toNanos(500);
    private static final Logger LOG = LoggerFactory.getLogger(JooqRequestLog.class);

    private final DSLContext dsl;
    private final long flushIntervalNanos;
    private final int batchSize;
    private final long initialBackoffNanos;
    private final long maxBackoffNanos;

    private final ConcurrentLinkedQueue<RequestRecord> queue = new ConcurrentLinkedQueue<>();
    /** Counted before the record is queued, so flush() also waits for appends still in progress. */
    private final AtomicLong accepted = new AtomicLong();
    private final AtomicLong written = new AtomicLong();
    private final AtomicLong failedWrites = new AtomicLong();
    private final AtomicBoolean wakeRequested = new AtomicBoolean();
    private final AtomicBoolean closeStarted = new AtomicBoolean();
    private final AtomicBoolean warnedAfterClose = new AtomicBoolean();
    private final Object progress = new Object();
    private volatile boolean closing;
    private volatile boolean abandoned;
    private final Thread writer;

    public JooqRequestLog(DSLContext dsl) {
        this(dsl, DEFAULT_FLUSH_INTERVAL, DEFAULT_BATCH_SIZE);
    }

    public JooqRequestLog(DSLContext dsl, Duration flushInterval, int batchSize) {
        this(dsl, flushInterval, batchSize, DEFAULT_MAX_BACKOFF);
    }

    JooqRequestLog(DSLContext dsl, Duration flushInterval, int batchSize, Duration maxBackoff) {
        this.dsl = Objects.requireNonNull(dsl, "dsl");
        if (flushInterval == null || flushInterval.isNegative() || flushInterval.isZero()) {
            throw new IllegalArgumentException("the flush interval must be positive");
        }
        if (batchSize < 1 || batchSize > MAX_BATCH_SIZE) {
            throw new IllegalArgumentException("the batch size must be between 1 and " + MAX_BATCH_SIZE + ", got " + batchSize);
        }
        this.flushIntervalNanos = flushInterval.toNanos();
        this.batchSize = batchSize;
        this.maxBackoffNanos = Math.max(MIN_BACKOFF_NANOS, maxBackoff.toNanos());
        this.initialBackoffNanos = Math.min(Math.max(flushIntervalNanos, MIN_BACKOFF_NANOS), maxBackoffNanos);
        this.writer = Thread.ofPlatform().name(THREAD_NAME).daemon(true).unstarted(this::run);
        this.writer.start();
    }

    /** Queues the record and returns at once; never blocks and never throws. */
    @Override
    public void append(RequestRecord record) {
        if (record == null) {
            return;
        }
        if (closing) {
            if (warnedAfterClose.compareAndSet(false, true)) {
                LOG.warn("request log is closed: records appended after close are not written");
            }
            return;
        }
        accepted.incrementAndGet();
        queue.offer(record);
        if (accepted.get() - written.get() >= batchSize && wakeRequested.compareAndSet(false, true)) {
            LockSupport.unpark(writer);
        }
    }

    /** Records accepted but not yet written (queued, or in a batch being written or retried). */
    public int pending() {
        return (int) Math.min(Integer.MAX_VALUE, accepted.get() - written.get());
    }

    /** Records handed to the database so far, including any it ignored as duplicates of a stored request id. */
    public long written() {
        return written.get();
    }

    /** Database writes that failed and were (or will be) retried. */
    long failedWrites() {
        return failedWrites.get();
    }

    Thread writerThread() {
        return writer;
    }

    /**
     * Blocks until every record appended before this call is written.
     *
     * @throws IllegalStateException when that takes longer than 10 s (the database is down, for example);
     *                               the records stay queued
     */
    public void flush() {
        if (!flush(FLUSH_TIMEOUT)) {
            throw new IllegalStateException("request log: " + pending() + " records are still unwritten after "
                    + FLUSH_TIMEOUT.toSeconds() + " s");
        }
    }

    /** Waits at most {@code timeout} until every record appended before this call is written; true when they are. */
    public boolean flush(Duration timeout) {
        long target = accepted.get();
        wake();
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (progress) {
            while (written.get() < target) {
                long left = deadline - System.nanoTime();
                if (left <= 0 || !writer.isAlive()) {
                    return false;
                }
                try {
                    TimeUnit.NANOSECONDS.timedWait(progress, left);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return false;
                }
            }
        }
        return true;
    }

    /**
     * Writes everything queued, waiting at most 10 s, and stops the writer. What cannot be written in
     * that time is reported as lost.
     */
    @Override
    public void close() {
        if (!closeStarted.compareAndSet(false, true)) {
            return;
        }
        closing = true;
        wake();
        try {
            if (!writer.join(FLUSH_TIMEOUT)) {
                abandon();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            abandon();
        }
    }

    private void abandon() {
        abandoned = true;
        LockSupport.unpark(writer);
        LOG.error("request log: {} records could not be written before shutdown and are lost", pending());
    }

    private void run() {
        while (!abandoned) {
            awaitWork();
            try {
                drain();
            } catch (Throwable t) {
                // drain() retries failures itself; this is a bug, and the writer must outlive it
                LOG.error("request log writer failed unexpectedly: {}", t.getClass().getName());
                pause(initialBackoffNanos);
            }
            if (closing && pending() == 0) {
                break;
            }
        }
        synchronized (progress) {
            progress.notifyAll();
        }
    }

    /** Sleeps until the flush interval has passed, a full batch waits, or flush() or close() asks. */
    private void awaitWork() {
        long deadline = System.nanoTime() + flushIntervalNanos;
        long left;
        while (!wakeRequested.get() && !closing && pending() < batchSize && (left = deadline - System.nanoTime()) > 0) {
            Thread.interrupted();
            LockSupport.parkNanos(this, left);
        }
        wakeRequested.set(false);
        if (closing && queue.isEmpty() && pending() > 0) {
            // an append counted its record but has not queued it yet
            Thread.onSpinWait();
        }
    }

    private void wake() {
        wakeRequested.set(true);
        LockSupport.unpark(writer);
    }

    private void drain() {
        List<RequestRecord> batch = new ArrayList<>(Math.min(batchSize, 256));
        while (!abandoned) {
            batch.clear();
            RequestRecord next;
            while (batch.size() < batchSize && (next = queue.poll()) != null) {
                batch.add(next);
            }
            if (batch.isEmpty()) {
                return;
            }
            writeUntilStored(batch);
        }
    }

    private void writeUntilStored(List<RequestRecord> batch) {
        long backoff = initialBackoffNanos;
        int failures = 0;
        while (!abandoned) {
            try {
                insert(batch);
                written.addAndGet(batch.size());
                synchronized (progress) {
                    progress.notifyAll();
                }
                if (failures > 0) {
                    LOG.info("request log: writing works again after {} failed attempts", failures);
                }
                return;
            } catch (RuntimeException | Error e) {
                failures++;
                failedWrites.incrementAndGet();
                long wait = closing ? Math.min(backoff, CLOSING_BACKOFF_NANOS) : backoff;
                LOG.warn("request log: writing {} records failed ({}); retrying in {} ms, {} records pending",
                        batch.size(), DatabaseFailures.describe(e), TimeUnit.NANOSECONDS.toMillis(wait), pending());
                pause(wait);
                backoff = Math.min(backoff * 2, maxBackoffNanos);
            }
        }
    }

    private void insert(List<RequestRecord> batch) {
        dsl.transaction(cfg -> {
            DSLContext tx = cfg.dsl();
            Set<String> inserted = new HashSet<>(tx
                    .insertInto(REQUEST_LOG,
                            REQUEST_LOG.REQUEST_ID, REQUEST_LOG.STARTED_AT, REQUEST_LOG.ENDPOINT,
                            REQUEST_LOG.APP_ID, REQUEST_LOG.APP_NAME, REQUEST_LOG.MODEL,
                            REQUEST_LOG.BACKEND_ID, REQUEST_LOG.BACKEND_NAME, REQUEST_LOG.STATUS,
                            REQUEST_LOG.ERROR_TYPE, REQUEST_LOG.LATENCY_US, REQUEST_LOG.TTFT_US,
                            REQUEST_LOG.PROMPT_TOKENS, REQUEST_LOG.COMPLETION_TOKENS, REQUEST_LOG.TOTAL_TOKENS,
                            REQUEST_LOG.STREAM, REQUEST_LOG.CLIENT_ABORTED, REQUEST_LOG.ATTEMPT_COUNT, REQUEST_LOG.ATTEMPTS,
                            REQUEST_LOG.KEY_ID, REQUEST_LOG.QUEUE_WAIT_US, REQUEST_LOG.USAGE_ESTIMATED)
                    .valuesOfRows(batch.stream().map(RequestLogRows::toRow).toList())
                    .onConflict(REQUEST_LOG.REQUEST_ID)
                    .doNothing()
                    .returning(REQUEST_LOG.REQUEST_ID)
                    .fetch(REQUEST_LOG.REQUEST_ID));
            // the minute aggregates count exactly the rows inserted now: a batch written twice counts once
            UsageAggregates.upsert(tx, batch.stream().filter(r -> inserted.contains(RequestLogRows.text(REQUEST_LOG.REQUEST_ID, r.requestId()))).toList());
        });
    }

    private void pause(long nanos) {
        long deadline = System.nanoTime() + nanos;
        long left;
        while (!abandoned && (left = deadline - System.nanoTime()) > 0) {
            Thread.interrupted();
            LockSupport.parkNanos(this, left);
        }
    }
}
