package dev.sluice.adapters.persistence;

import dev.sluice.application.port.RequestLog;
import dev.sluice.domain.usage.RequestRecord;
import org.jooq.DSLContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.Optional;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
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
 * full batch is waiting, each batch as one multi-row {@code INSERT ... ON CONFLICT (request_id,
 * started_at) DO NOTHING}, so a batch written twice is stored once. A batch the database refuses is kept and
 * retried with backoff; records are not dropped while the log is open.
 *
 * <p>With a spill directory, records do not pile up in memory while the database fails or is slow:
 * when more than {@code maxBuffered} records are held in memory, the writer moves the oldest of them
 * (down to half that bound) to an append-only spill file in the directory, one JSON line per record
 * ({@link RequestRecordLines}), fsynced before they leave memory. Spill files are always older than
 * what is in memory, so the writer replays them first, oldest file first, in batches, and deletes a
 * file once all of it is stored. Replaying is idempotent (the same {@code ON CONFLICT DO NOTHING}
 * insert, aggregates counting only rows inserted), so a replay cut short by a crash and repeated
 * counts nothing twice. Spill files left by an earlier run are replayed on start. On close, when the
 * database refuses a write, everything still in memory is spilled instead of waiting. A crash loses
 * only what was in memory (not yet written nor spilled). One log per directory.
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
    /** Spill files; null without a spill directory. */
    private final SpillFiles spill;
    private final long maxBuffered;
    /** Records in spill files, not yet stored. */
    private final AtomicLong spilled = new AtomicLong();
    private final AtomicBoolean spillRequested = new AtomicBoolean();
    // the writer thread's own state
    /** Records taken off the queue but not yet stored or spilled, oldest first. */
    private final ArrayDeque<RequestRecord> held = new ArrayDeque<>();
    private final List<RequestRecord> replayBatch = new ArrayList<>();
    private BufferedReader replayReader;
    private Path replayPath;
    private long replayedInHead;
    private boolean spillFilesExist;
    private boolean stopAfterSpill;
    private long backoff;
    private int failures;
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
        this(dsl, flushInterval, batchSize, Optional.empty(), Integer.MAX_VALUE, maxBackoff);
    }

    /**
     * A log that spills to {@code spillDirectory} (created when missing) when more than {@code maxBuffered}
     * records wait in memory, and replays the spill files found there now. Without a directory, nothing is
     * spilled and memory is not bounded (records are never dropped).
     *
     * @throws UncheckedIOException when the directory cannot be created or read
     */
    public JooqRequestLog(DSLContext dsl, Duration flushInterval, int batchSize, Optional<Path> spillDirectory,
                          int maxBuffered) {
        this(dsl, flushInterval, batchSize, spillDirectory, maxBuffered, DEFAULT_MAX_BACKOFF);
    }

    JooqRequestLog(DSLContext dsl, Duration flushInterval, int batchSize, Optional<Path> spillDirectory,
                   int maxBuffered, Duration maxBackoff) {
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
        this.backoff = initialBackoffNanos;
        if (maxBuffered < 1) {
            throw new IllegalArgumentException("maxBuffered must be positive, got " + maxBuffered);
        }
        this.maxBuffered = maxBuffered;
        Objects.requireNonNull(spillDirectory, "spillDirectory");
        if (spillDirectory.isPresent()) {
            try {
                this.spill = new SpillFiles(spillDirectory.get());
                List<Path> leftover = spill.files();
                long records = 0;
                for (Path file : leftover) {
                    records += SpillFiles.countRecords(file);
                }
                if (!leftover.isEmpty()) {
                    LOG.info("request log: replaying {} records from {} spill files in {}", records, leftover.size(),
                            spillDirectory.get());
                    spillFilesExist = true;
                    spilled.set(records);
                    accepted.set(records);
                    wakeRequested.set(true);
                }
            } catch (IOException e) {
                throw new UncheckedIOException("request log: cannot use spill directory " + spillDirectory.get(), e);
            }
        } else {
            this.spill = null;
        }
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
        long inMemory = inMemory();
        if (inMemory >= batchSize && wakeRequested.compareAndSet(false, true)) {
            LockSupport.unpark(writer);
        }
        if (spill != null && inMemory > maxBuffered && spillRequested.compareAndSet(false, true)) {
            LockSupport.unpark(writer);
        }
    }

    private long inMemory() {
        return Math.max(0, accepted.get() - written.get() - spilled.get());
    }

    /** Records accepted and not yet written that are held in memory (pending but not spilled). */
    /**
     * How far the writer is behind: the time since the oldest record still waiting in memory
     * finished (zero when nothing waits). A metric; records in spill files are counted by {@link #spilled()}.
     */
    public java.time.Duration lag(java.time.Instant now) {
        RequestRecord oldest = queue.peek();
        if (oldest == null) {
            return java.time.Duration.ZERO;
        }
        java.time.Instant finished = oldest.startedAt().plusNanos(oldest.latencyMicros() * 1_000);
        java.time.Duration lag = java.time.Duration.between(finished, now);
        return lag.isNegative() ? java.time.Duration.ZERO : lag;
    }

    public int buffered() {
        return (int) Math.min(Integer.MAX_VALUE, inMemory());
    }

    /** Records currently in spill files, waiting to be replayed into the database. */
    public long spilled() {
        return Math.max(0, spilled.get());
    }

    /** Records accepted but not yet written (queued, in a batch being written or retried, or spilled). */
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
        LOG.error("request log: {} records could not be written before shutdown and are lost", buffered());
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
            if (closing && (pending() == 0 || stopAfterSpill)) {
                break;
            }
        }
        closeReplayReader();
        if (spill != null) {
            spill.close();
        }
        synchronized (progress) {
            progress.notifyAll();
        }
    }

    /** Sleeps until the flush interval has passed, a full batch waits, or flush() or close() asks. */
    private void awaitWork() {
        long deadline = System.nanoTime() + flushIntervalNanos;
        long left;
        while (!wakeRequested.get() && !spillRequested.get() && !closing && inMemory() < batchSize && (left = deadline - System.nanoTime()) > 0) {
            Thread.interrupted();
            LockSupport.parkNanos(this, left);
        }
        wakeRequested.set(false);
        if (closing && queue.isEmpty() && held.isEmpty() && inMemory() > 0) {
            // an append counted its record but has not queued it yet
            Thread.onSpinWait();
        }
    }

    private void wake() {
        wakeRequested.set(true);
        LockSupport.unpark(writer);
    }

    /** Writes (replaying spill files first) until nothing is left, retrying failures with backoff. */
    private void drain() {
        while (!abandoned && !stopAfterSpill) {
            spillOverflow();
            try {
                if (spillFilesExist) {
                    replayStep();
                } else {
                    List<RequestRecord> batch = headBatch();
                    if (batch.isEmpty()) {
                        return;
                    }
                    insert(batch);
                    for (int i = 0; i < batch.size(); i++) {
                        held.pollFirst();
                    }
                    stored(batch.size(), false);
                }
            } catch (IOException e) {
                closeReplayReader();
                failed("reading spill file " + replayPath, e.toString());
            } catch (RuntimeException | Error e) {
                failed("writing " + (spillFilesExist ? replayBatch.size() : Math.min(batchSize, held.size())) + " records",
                        DatabaseFailures.describe(e));
            }
        }
    }

    /** The oldest records in memory, at most a batch, left in {@link #held} until they are stored. */
    private List<RequestRecord> headBatch() {
        RequestRecord next;
        while (held.size() < batchSize && (next = queue.poll()) != null) {
            held.addLast(next);
        }
        return first(Math.min(batchSize, held.size()));
    }

    private List<RequestRecord> first(int n) {
        List<RequestRecord> out = new ArrayList<>(n);
        Iterator<RequestRecord> it = held.iterator();
        while (out.size() < n && it.hasNext()) {
            out.add(it.next());
        }
        return out;
    }

    /** Replays one batch of the oldest spill file, or deletes it when it is all stored. */
    private void replayStep() throws IOException {
        if (replayBatch.isEmpty()) {
            if (replayReader == null) {
                List<Path> files = spill.files();
                if (files.isEmpty()) {
                    spillFilesExist = false;
                    return;
                }
                replayPath = files.getFirst();
                spill.sealIfCurrent(replayPath);
                replayReader = Files.newBufferedReader(replayPath, StandardCharsets.UTF_8);
                long skip = replayedInHead;
                while (skip > 0 && readRecord() != null) {
                    skip--;
                }
            }
            RequestRecord next;
            while (replayBatch.size() < batchSize && (next = readRecord()) != null) {
                replayBatch.add(next);
            }
            if (replayBatch.isEmpty()) {
                closeReplayReader();
                spill.delete(replayPath);
                LOG.info("request log: spill file {} replayed and deleted", replayPath.getFileName());
                replayPath = null;
                replayedInHead = 0;
                return;
            }
        }
        insert(replayBatch);
        replayedInHead += replayBatch.size();
        int n = replayBatch.size();
        replayBatch.clear();
        stored(n, true);
    }

    /** The next readable record of the file being replayed; null at its end. */
    private RequestRecord readRecord() throws IOException {
        String line;
        while ((line = replayReader.readLine()) != null) {
            if (line.isBlank()) {
                continue;
            }
            try {
                return RequestRecordLines.decode(line);
            } catch (IllegalArgumentException e) {
                LOG.warn("request log: skipping an unreadable line in spill file {}: {}", replayPath, e.getMessage());
            }
        }
        return null;
    }

    private void closeReplayReader() {
        if (replayReader != null) {
            try {
                replayReader.close();
            } catch (IOException ignored) {
                // read-only
            }
            replayReader = null;
        }
    }

    private void stored(int n, boolean fromSpill) {
        written.addAndGet(n);
        if (fromSpill) {
            spilled.addAndGet(-n);
        }
        synchronized (progress) {
            progress.notifyAll();
        }
        if (failures > 0) {
            LOG.info("request log: writing works again after {} failed attempts", failures);
        }
        failures = 0;
        backoff = initialBackoffNanos;
    }

    private void failed(String what, String why) {
        failures++;
        failedWrites.incrementAndGet();
        if (closing && spill != null) {
            // do not wait out the database on shutdown: what is in memory goes to disk and is replayed on start
            spillMemory(Long.MAX_VALUE);
            if (held.isEmpty() && queue.isEmpty()) {
                LOG.warn("request log: {} failed ({}) while closing; {} records are in spill files in {}", what, why,
                        spilled(), spill.directory());
                stopAfterSpill = true;
                return;
            }
        }
        spillOverflow();
        long wait = closing ? Math.min(backoff, CLOSING_BACKOFF_NANOS) : backoff;
        LOG.warn("request log: {} failed ({}); retrying in {} ms, {} records pending ({} spilled)",
                what, why, TimeUnit.NANOSECONDS.toMillis(wait), pending(), spilled());
        pause(wait);
        backoff = Math.min(backoff * 2, maxBackoffNanos);
    }

    /** When more than maxBuffered records are in memory, moves the oldest to a spill file, down to half the bound. */
    private void spillOverflow() {
        spillRequested.set(false);
        if (spill == null) {
            return;
        }
        long inMemory = inMemory();
        if (inMemory > maxBuffered) {
            spillMemory(inMemory - maxBuffered / 2);
        }
    }

    /** Moves up to {@code count} of the oldest records in memory to a spill file. */
    private void spillMemory(long count) {
        RequestRecord next;
        while (held.size() < count && (next = queue.poll()) != null) {
            held.addLast(next);
        }
        int n = (int) Math.min(count, held.size());
        if (n == 0) {
            return;
        }
        try {
            spill.append(first(n));
        } catch (IOException | RuntimeException e) {
            LOG.error("request log: cannot spill {} records to {} ({}); they stay in memory", n, spill.directory(), e.toString());
            return;
        }
        for (int i = 0; i < n; i++) {
            held.pollFirst();
        }
        spilled.addAndGet(n);
        spillFilesExist = true;
    }

    private void insert(List<RequestRecord> batch) {
        dsl.transaction(cfg -> {
            DSLContext tx = cfg.dsl();
            // one prepared statement over column arrays (see RequestLogInsert); idempotent per (request id, start)
            List<String> insertedIds = RequestLogInsert.insert(tx, batch);
            // the minute aggregates count exactly the rows inserted now: a batch written twice counts once, and a
            // record repeated within one batch (inserted once) counts once: each returned id admits one record
            Map<String, Integer> inserted = new HashMap<>();
            for (String id : insertedIds) {
                inserted.merge(id, 1, Integer::sum);
            }
            List<RequestRecord> counted = new ArrayList<>(insertedIds.size());
            for (RequestRecord r : batch) {
                String id = RequestLogRows.text(REQUEST_LOG.REQUEST_ID, r.requestId());
                Integer left = inserted.get(id);
                if (left != null) {
                    if (left == 1) {
                        inserted.remove(id);
                    } else {
                        inserted.put(id, left - 1);
                    }
                    counted.add(r);
                }
            }
            UsageAggregates.upsert(tx, counted);
        });
    }

    private void pause(long nanos) {
        long deadline = System.nanoTime() + nanos;
        long left;
        while (!abandoned && (left = deadline - System.nanoTime()) > 0) {
            if (spillRequested.get()) {
                spillOverflow();
                continue;
            }
            Thread.interrupted();
            LockSupport.parkNanos(this, left);
        }
    }
}
