import dev.sluice.adapters.ratelimit.LocalRateLimitStore;
import dev.sluice.application.config.LiveConfiguration;
import dev.sluice.application.port.AppRepository;
import dev.sluice.application.port.BackendRepository;
import dev.sluice.application.port.DelayScheduler;
import dev.sluice.application.port.RateLimitStore;
import dev.sluice.application.port.RequestLog;
import dev.sluice.application.port.TokenCounter;
import dev.sluice.application.port.UpstreamClient;
import dev.sluice.application.port.UpstreamExchange;
import dev.sluice.application.port.UpstreamListener;
import dev.sluice.application.port.UpstreamRequest;
import dev.sluice.application.proxy.ProxyCall;
import dev.sluice.application.proxy.ProxyService;
import dev.sluice.application.proxy.ProxySettings;
import dev.sluice.application.proxy.ResponseSink;
import dev.sluice.application.queue.AdmissionQueue;
import dev.sluice.application.routing.BackendHealth;
import dev.sluice.application.routing.Routing;
import dev.sluice.domain.app.ApiKey;
import dev.sluice.domain.app.App;
import dev.sluice.domain.app.AppPolicy;
import dev.sluice.domain.backend.Backend;
import dev.sluice.domain.backend.BackendOptions;
import dev.sluice.domain.backend.ModelMapping;
import dev.sluice.domain.limits.Limits;
import dev.sluice.domain.limits.PriorityClass;
import dev.sluice.domain.openai.Endpoint;
import dev.sluice.domain.routing.BackendSelector;
import dev.sluice.domain.routing.CircuitBreaker;
import dev.sluice.domain.routing.FailoverPolicy;

import javax.management.ObjectName;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Queue benchmark (not a test): drives the real ProxyService + AdmissionQueue + LocalRateLimitStore
 * in-process on one "event loop" thread (a single-threaded ScheduledThreadPoolExecutor that runs every
 * request, every timer and every woken waiter), with a fake backend that records when each request is
 * sent and is finished by the program. See bench/queue/README.md.
 *
 * <pre>java -cp domain.jar:application.jar:ratelimit-local.jar bench/queue/QueueBench.java</pre>
 */
public final class QueueBench {
    static final String MODEL = "bench-model";
    static final String APP = "bench";
    static final int REQUESTS = 10_000;
    static final int QUEUE_SIZE = 10_000;               // sluice.queue.max-size default
    static final Duration REQUEST_DEADLINE = Duration.ofSeconds(300); // sluice.routing.request-deadline default
    static final Duration MAX_WAIT = Duration.ofSeconds(120); // > any run here, so nobody times out
    static final byte[] BODY = ("{\"model\":\"" + MODEL + "\",\"messages\":[{\"role\":\"system\",\"content\":"
            + "\"You are a helpful assistant.\"},{\"role\":\"user\",\"content\":\"Summarise the ticket in one "
            + "sentence, please.\"}],\"max_tokens\":64}").getBytes(StandardCharsets.UTF_8);
    static final byte[] ANSWER = ("{\"id\":\"chatcmpl-1\",\"object\":\"chat.completion\",\"created\":0,\"model\":\""
            + MODEL + "\",\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\",\"content\":\"Printer on "
            + "floor 3 is jammed.\"},\"finish_reason\":\"stop\"}],\"usage\":{\"prompt_tokens\":31,"
            + "\"completion_tokens\":8,\"total_tokens\":39}}").getBytes(StandardCharsets.UTF_8);
    static final Map<String, String> ANSWER_HEADERS = Map.of("content-type", "application/json",
            "content-length", Integer.toString(ANSWER.length));

    // ------------------------------------------------------------------ the one event loop

    static Thread loopThread;
    static final ScheduledThreadPoolExecutor LOOP = new ScheduledThreadPoolExecutor(1, r -> {
        Thread t = new Thread(r, "event-loop");
        t.setDaemon(true);
        loopThread = t;
        return t;
    });

    static {
        // as Netty's scheduled-task queue: a cancelled timer leaves the queue at once
        LOOP.setRemoveOnCancelPolicy(true);
    }

    static boolean onLoop() {
        return Thread.currentThread() == loopThread;
    }

    static void drainLoop() throws Exception {
        LOOP.submit(() -> { }).get();
    }

    /**
     * How ResponseSink.execute hands a woken waiter's retry to the loop. INLINE is what the production
     * NettyResponseSink does when the wake comes from its own event loop (it runs the task at once);
     * POSTED always queues a task on the loop (as for a waiter whose connection lives on another loop).
     */
    enum WakeMode { INLINE, POSTED }

    static WakeMode wakeMode = WakeMode.INLINE;

    // ------------------------------------------------------------------ what one run records (loop thread)

    static final class Recorder {
        final long[] sendNanos;
        final long[] sendEpochNanos;
        final long[] admitMillis;
        final long[] execNanos;   // when ResponseSink.execute was last called before the send
        final long[] runNanos;    // when the woken task last started running before the send
        final long[] freeNanos;   // just before the backend's onEnd of request i
        final long[] returnNanos; // when onEnd of request i returned
        final long[] timerToSend; // -1 unless a queue timer fired since the previous send
        final long[] timerLate;   // how late that timer ran after it was due
        final CountDownLatch ended;
        int ok;
        int failed;
        long lastExecNanos;
        long lastRunNanos;
        long lastTimerNanos;
        long lastTimerLateNanos;
        long timerFires;
        long timerFiresAtLastSend;

        Recorder(int n) {
            sendNanos = new long[n];
            sendEpochNanos = new long[n];
            admitMillis = new long[n];
            execNanos = new long[n];
            runNanos = new long[n];
            freeNanos = new long[n];
            returnNanos = new long[n];
            timerToSend = new long[n];
            timerLate = new long[n];
            ended = new CountDownLatch(n);
        }

        void ended(int status) {
            if (status == 200) {
                ok++;
            } else {
                failed++;
            }
            ended.countDown();
        }
    }

    static Recorder rec;

    // ------------------------------------------------------------------ in-file fakes

    /** A backend that records each send; the program (or the fake itself) finishes requests. */
    static final class FakeUpstream implements UpstreamClient {
        enum Mode { HELD, FINISH_NEXT_TURN, ANSWER_DURING_SEND }

        private static final UpstreamExchange NO_CONTROL = new UpstreamExchange() {
            @Override
            public void pause() {
            }

            @Override
            public void resume() {
            }

            @Override
            public void cancel() {
            }
        };

        final Mode mode;
        final UpstreamListener[] listeners;
        final Semaphore sends = new Semaphore(0);
        final RecordingClock admissionClock;
        int sent;

        FakeUpstream(Mode mode, int capacity, RecordingClock admissionClock) {
            this.mode = mode;
            this.listeners = new UpstreamListener[capacity];
            this.admissionClock = admissionClock;
        }

        @Override
        public UpstreamExchange send(UpstreamRequest request, UpstreamListener listener) {
            if (mode == Mode.ANSWER_DURING_SEND) {
                listener.onHead(200, ANSWER_HEADERS);
                listener.onChunk(ANSWER);
                listener.onEnd();
                return NO_CONTROL;
            }
            long now = System.nanoTime();
            Recorder r = rec;
            int i = sent++;
            r.sendNanos[i] = now;
            r.execNanos[i] = r.lastExecNanos;
            r.runNanos[i] = r.lastRunNanos;
            if (r.timerFires != r.timerFiresAtLastSend) {
                r.timerToSend[i] = now - r.lastTimerNanos;
                r.timerLate[i] = r.lastTimerLateNanos;
                r.timerFiresAtLastSend = r.timerFires;
            } else {
                r.timerToSend[i] = -1;
            }
            Instant wall = Clock.systemUTC().instant();
            r.sendEpochNanos[i] = wall.getEpochSecond() * 1_000_000_000L + wall.getNano();
            r.admitMillis[i] = admissionClock.lastMillis; // the 'now' next() admitted this request with
            listeners[i] = listener;
            sends.release();
            if (mode == Mode.FINISH_NEXT_TURN) {
                LOOP.execute(() -> finish(i));
            }
            return NO_CONTROL;
        }

        /** The backend answers request {@code i}; capacity frees at the moment just before onEnd. */
        void finish(int i) {
            UpstreamListener l = listeners[i];
            listeners[i] = null;
            l.onHead(200, ANSWER_HEADERS);
            l.onChunk(ANSWER);
            rec.freeNanos[i] = System.nanoTime();
            l.onEnd();
            rec.returnNanos[i] = System.nanoTime();
        }
    }

    /** The client connection: records the status; execute() as the production sink does (see WakeMode). */
    static final class BenchSink implements ResponseSink {
        private int status;
        private Runnable onGone;
        private WritabilityListener writability;

        @Override
        public void head(int status, String contentType, long contentLength, Map<String, String> headers) {
            this.status = status;
        }

        @Override
        public void chunk(byte[] data) {
        }

        @Override
        public void end() {
            rec.ended(status);
        }

        @Override
        public void abort() {
            rec.ended(-1);
        }

        @Override
        public void onClientGone(Runnable action) {
            onGone = action;
        }

        @Override
        public void onWritabilityChanged(WritabilityListener listener) {
            writability = listener;
        }

        @Override
        public void execute(Runnable task) {
            Recorder r = rec;
            r.lastExecNanos = System.nanoTime();
            if (wakeMode == WakeMode.INLINE && onLoop()) {
                r.lastRunNanos = r.lastExecNanos;
                task.run();
            } else {
                LOOP.execute(() -> {
                    r.lastRunNanos = System.nanoTime();
                    task.run();
                });
            }
        }
    }

    /** A sink shared by every request of the forward() cost runs (nothing there waits). */
    static final class CountingSink implements ResponseSink {
        long ok;
        long failed;
        private int status;

        @Override
        public void head(int status, String contentType, long contentLength, Map<String, String> headers) {
            this.status = status;
        }

        @Override
        public void chunk(byte[] data) {
        }

        @Override
        public void end() {
            if (status == 200) {
                ok++;
            } else {
                failed++;
            }
        }

        @Override
        public void abort() {
            failed++;
        }

        @Override
        public void onClientGone(Runnable action) {
        }

        @Override
        public void onWritabilityChanged(WritabilityListener listener) {
        }
    }

    /** The event loop's timer: a real ScheduledExecutorService, the loop itself. */
    static final class LoopScheduler implements DelayScheduler {
        private final boolean recordFires;

        LoopScheduler(boolean recordFires) {
            this.recordFires = recordFires;
        }

        @Override
        public Cancellable schedule(Duration delay, Runnable task) {
            Runnable t = task;
            long nanos = Math.max(0, delay.toNanos());
            if (recordFires) {
                long due = System.nanoTime() + nanos;
                t = () -> {
                    Recorder r = rec;
                    r.lastTimerNanos = System.nanoTime();
                    r.lastTimerLateNanos = r.lastTimerNanos - due;
                    r.timerFires++;
                    task.run();
                };
            }
            ScheduledFuture<?> future = LOOP.schedule(t, nanos, TimeUnit.NANOSECONDS);
            return () -> future.cancel(false);
        }
    }

    /** The system clock, remembering the last millis read (backend health's now = the admission time). */
    static final class RecordingClock extends Clock {
        volatile long lastMillis;

        @Override
        public long millis() {
            long m = System.currentTimeMillis();
            lastMillis = m;
            return m;
        }

        @Override
        public Instant instant() {
            return Instant.ofEpochMilli(millis());
        }

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }
    }

    static final class Backends implements BackendRepository {
        private final List<Backend> all = new ArrayList<>();

        @Override
        public synchronized List<Backend> findAll() {
            return new ArrayList<>(all);
        }

        @Override
        public synchronized Optional<Backend> findById(UUID id) {
            return all.stream().filter(b -> b.id().equals(id)).findFirst();
        }

        @Override
        public synchronized void insert(Backend backend) {
            all.add(backend);
        }

        @Override
        public synchronized boolean update(Backend backend) {
            return false;
        }

        @Override
        public synchronized boolean delete(UUID id) {
            return all.removeIf(b -> b.id().equals(id));
        }
    }

    static final class Apps implements AppRepository {
        private final List<App> apps = new ArrayList<>();

        @Override
        public synchronized List<App> findAllApps() {
            return new ArrayList<>(apps);
        }

        @Override
        public synchronized Optional<App> findApp(UUID id) {
            return apps.stream().filter(a -> a.id().equals(id)).findFirst();
        }

        @Override
        public synchronized void insertApp(App app) {
            apps.add(app);
        }

        @Override
        public List<ApiKey> findAllKeys() {
            return List.of();
        }

        @Override
        public List<ApiKey> findKeys(UUID appId) {
            return List.of();
        }

        @Override
        public void insertKey(ApiKey key) {
            throw new UnsupportedOperationException("the benchmark names its app with App-Name");
        }

        @Override
        public boolean updatePolicy(UUID appId, AppPolicy policy) {
            return false;
        }

        @Override
        public boolean revokeKey(UUID appId, UUID keyId, Instant at) {
            return false;
        }
    }

    /** The request log of a gateway whose writer is not the subject: counts and drops. */
    static final class CountingLog implements RequestLog {
        long records;

        @Override
        public void append(dev.sluice.domain.usage.RequestRecord record) {
            records++;
        }
    }

    /** One gateway core: configuration, routing with the real queue and local limit store, the proxy. */
    static final class Gateway {
        final Routing routing;
        final ProxyService proxy;
        final CountingLog log = new CountingLog();

        Gateway(Limits backendLimits, Limits appLimits, RateLimitStore store, UpstreamClient upstream,
                Clock healthClock, boolean recordTimerFires) {
            Backends backends = new Backends();
            backends.insert(new Backend(UUID.randomUUID(), "bench-backend", "http://backend.invalid/v1", Optional.empty(),
                    1, 10, 60_000, true, Map.of(), List.of(new ModelMapping(MODEL, MODEL)),
                    BackendOptions.defaults().withLimits(backendLimits)));
            Apps apps = new Apps();
            apps.insertApp(new App(UUID.randomUUID(), APP, new AppPolicy(appLimits, Optional.empty(),
                    PriorityClass.NORMAL, OptionalInt.empty(), Optional.empty())));
            LiveConfiguration configuration = new LiveConfiguration(backends, apps, Clock.systemUTC());
            configuration.reload();
            DelayScheduler scheduler = new LoopScheduler(recordTimerFires);
            routing = new Routing(new BackendSelector(), new BackendHealth(CircuitBreaker.Settings.defaults(), healthClock),
                    FailoverPolicy.defaults(), scheduler, REQUEST_DEADLINE, TokenCounter.ESTIMATE, store,
                    new AdmissionQueue(QUEUE_SIZE, scheduler, Clock.systemUTC()), MAX_WAIT, Routing.DEFAULT_OUTPUT_TOKENS);
            // keys switched off: the App-Name header names the app (no key hashing in the numbers)
            proxy = new ProxyService(configuration, upstream, log,
                    new ProxySettings(false, ProxySettings.DEFAULT_RESPONSE_TAIL_BYTES), routing);
        }
    }

    static ProxyCall call(String requestId, byte[] body) {
        return new ProxyCall(requestId, Endpoint.CHAT_COMPLETIONS, Optional.empty(), Optional.of(APP), body,
                Instant.now(), System.nanoTime(), Optional.empty());
    }

    static Limits limits(Integer rpm, Long tpm, Integer rpd, Integer maxConcurrent) {
        return new Limits(rpm == null ? OptionalInt.empty() : OptionalInt.of(rpm),
                tpm == null ? OptionalLong.empty() : OptionalLong.of(tpm),
                rpd == null ? OptionalInt.empty() : OptionalInt.of(rpd), OptionalLong.empty(),
                maxConcurrent == null ? OptionalInt.empty() : OptionalInt.of(maxConcurrent));
    }

    // ------------------------------------------------------------------ measurements

    record Memory(long before, long after, int requests, List<String> topClasses, long histogramDelta) {
        double perRequest() {
            return (after - before) / (double) requests;
        }
    }

    record Stats(int n, double p50, double p99, double p999, double max, double mean) {
        static Stats ofNanos(long[] values) {
            long[] v = values.clone();
            Arrays.sort(v);
            double sum = 0;
            for (long x : v) {
                sum += x;
            }
            return new Stats(v.length, pct(v, 0.50) / 1e3, pct(v, 0.99) / 1e3, pct(v, 0.999) / 1e3,
                    v[v.length - 1] / 1e3, sum / v.length / 1e3);
        }

        private static long pct(long[] sorted, double p) {
            int idx = (int) Math.ceil(p * sorted.length) - 1;
            return sorted[Math.max(0, Math.min(sorted.length - 1, idx))];
        }
    }

    record Handoff(String label, Stats total, List<String> breakdown, long gcs, Memory memory) {
    }

    /**
     * One backend with maxConcurrent 1; {@code n} requests arrive at once (one loop task): 1 is sent,
     * n-1 queue. Then the program ends the request in flight, one at a time, each time after the loop
     * went idle (the next waiter's failed probe done), and times end -> next send.
     */
    static Handoff concurrencyRun(String label, int n, WakeMode mode, boolean measureMemory) throws Exception {
        wakeMode = mode;
        rec = new Recorder(n);
        RecordingClock healthClock = new RecordingClock();
        FakeUpstream upstream = new FakeUpstream(FakeUpstream.Mode.HELD, n, healthClock);
        Gateway gw = new Gateway(limits(null, null, null, 1), Limits.NONE, new LocalRateLimitStore(), upstream,
                healthClock, false);
        long before = 0;
        Path histBefore = null;
        if (measureMemory) {
            before = heapUsedAfterGc();
            // kept off the heap, so that it does not count in the heap measured with the queue
            histBefore = Files.createTempFile("queue-bench-histogram", ".txt");
            Files.writeString(histBefore, String.valueOf(classHistogram()));
        }
        LOOP.submit(() -> {
            for (int i = 0; i < n; i++) {
                // a fresh request id (36 chars, as the edge makes one) and body per request, as each client sends its own
                gw.proxy.forward(call(UUID.randomUUID().toString(), BODY.clone()), new BenchSink());
            }
        }).get();
        drainLoop();
        require(upstream.sent == 1, "1 request in flight, got " + upstream.sent);
        require(gw.routing.queue().size() == n - 1, "n-1 queued, got " + gw.routing.queue().size());
        Memory memory = null;
        if (measureMemory) {
            long after = heapUsedAfterGc();
            String histAfter = classHistogram();
            memory = histogramDiff(before, after, n, Files.readString(histBefore), histAfter);
            Files.delete(histBefore);
        }
        long gcBefore = gcCount();
        for (int i = 0; i < n; i++) {
            upstream.sends.acquire(); // request i was sent
            drainLoop();              // ... and what that send set off is done (the next waiter probed and waits)
            int k = i;
            LOOP.execute(() -> upstream.finish(k));
        }
        if (!rec.ended.await(60, TimeUnit.SECONDS)) {
            throw new IllegalStateException("requests did not all end");
        }
        drainLoop();
        long gcs = gcCount() - gcBefore;
        require(rec.ok == n && rec.failed == 0, "all 200: ok=" + rec.ok + " failed=" + rec.failed);
        require(gw.routing.queue().size() == 0, "queue empty");
        require(LOOP.getQueue().isEmpty(), "no timers left: " + LOOP.getQueue().size());
        Recorder r = rec;
        int h = n - 1;
        long[] total = new long[h];
        long[] freeToExec = new long[h];
        long[] execToReturn = new long[h];
        long[] returnToRun = new long[h];
        long[] runToSend = new long[h];
        long[] execToSend = new long[h];
        for (int k = 1; k < n; k++) {
            total[k - 1] = r.sendNanos[k] - r.freeNanos[k - 1];
            freeToExec[k - 1] = r.execNanos[k] - r.freeNanos[k - 1];
            execToSend[k - 1] = r.sendNanos[k] - r.execNanos[k];
            execToReturn[k - 1] = r.returnNanos[k - 1] - r.execNanos[k];
            returnToRun[k - 1] = r.runNanos[k] - r.returnNanos[k - 1];
            runToSend[k - 1] = r.sendNanos[k] - r.runNanos[k];
            require(freeToExec[k - 1] >= 0 && total[k - 1] >= 0, "hand-off " + k + " out of order");
        }
        List<String> breakdown = new ArrayList<>();
        breakdown.add(segment("onEnd -> wake (end of the finished request up to settle/wakeAll)", freeToExec));
        if (mode == WakeMode.INLINE) {
            breakdown.add(segment("wake -> send (woken request re-admitted, upstream request built)", execToSend));
        } else {
            breakdown.add(segment("wake -> onEnd returns (rest of the finished request: record, log)", execToReturn));
            breakdown.add(segment("onEnd returns -> woken task starts (loop dispatch)", returnToRun));
            breakdown.add(segment("task starts -> send (re-admitted, upstream request built)", runToSend));
        }
        return new Handoff(label, Stats.ofNanos(total), breakdown, gcs, memory);
    }

    static String segment(String what, long[] nanos) {
        Stats s = Stats.ofNanos(nanos);
        return String.format(Locale.ROOT, "      %-68s p50 %7.1f   p99 %7.1f", what, s.p50, s.p99);
    }

    /**
     * One backend with rpm 1 under a window of {@code windowMillis} (LocalRateLimitStore(minuteMillis,
     * dayMillis)): every request but the first waits for the window to slide; the queue's timer for that
     * moment wakes the head. The backend answers each request on the loop's next turn.
     */
    static Handoff rpmRun(String label, int n, long windowMillis) throws Exception {
        wakeMode = WakeMode.INLINE;
        rec = new Recorder(n);
        RecordingClock healthClock = new RecordingClock();
        FakeUpstream upstream = new FakeUpstream(FakeUpstream.Mode.FINISH_NEXT_TURN, n, healthClock);
        Gateway gw = new Gateway(limits(1, null, null, null), Limits.NONE,
                new LocalRateLimitStore(windowMillis, windowMillis * 1440), upstream, healthClock, true);
        long gcBefore = gcCount();
        LOOP.submit(() -> {
            for (int i = 0; i < n; i++) {
                gw.proxy.forward(call(UUID.randomUUID().toString(), BODY.clone()), new BenchSink());
            }
        }).get();
        if (!rec.ended.await(n * 10L + 30_000, TimeUnit.MILLISECONDS)) {
            throw new IllegalStateException("requests did not all end");
        }
        drainLoop();
        long gcs = gcCount() - gcBefore;
        require(rec.ok == n && rec.failed == 0, "all 200: ok=" + rec.ok + " failed=" + rec.failed);
        require(gw.routing.queue().size() == 0, "queue empty");
        Recorder r = rec;
        long[] slideToSend = new long[n - 1];
        List<Long> timerToSend = new ArrayList<>();
        List<Long> timerLate = new ArrayList<>();
        List<Long> beforeDue = new ArrayList<>();
        for (int k = 1; k < n; k++) {
            long slotFreeAtNanos = (r.admitMillis[k - 1] + windowMillis) * 1_000_000L;
            slideToSend[k - 1] = r.sendEpochNanos[k] - slotFreeAtNanos;
            require(slideToSend[k - 1] >= 0, "request " + k + " sent before the window let it ("
                    + slideToSend[k - 1] + " ns)");
            long sendMs = r.sendEpochNanos[k] / 1_000_000L;
            require(r.admitMillis[k] <= sendMs, "admission time of " + k
                    + ": admitted at " + r.admitMillis[k] + " ms, sent at " + r.sendEpochNanos[k] + " ns");
            if (r.timerToSend[k] >= 0) {
                timerToSend.add(r.timerToSend[k]);
                timerLate.add(r.timerLate[k]);
                // the rest: from the slot freeing to the moment the timer was due (its delay is set in
                // whole milliseconds from a clock read truncated to the millisecond)
                beforeDue.add(Math.max(0, slideToSend[k - 1] - r.timerToSend[k] - r.timerLate[k]));
            }
        }
        long elapsedMs = (r.sendNanos[n - 1] - r.sendNanos[0]) / 1_000_000L;
        List<String> breakdown = new ArrayList<>();
        long[] t = timerToSend.stream().mapToLong(Long::longValue).toArray();
        breakdown.add("      " + t.length + " of " + (n - 1) + " sends followed a queue timer; for those:");
        breakdown.add(segment("slot free -> timer due (delay set in whole ms, 0-1 ms by design)",
                beforeDue.stream().mapToLong(Long::longValue).toArray()));
        breakdown.add(segment("timer due -> timer runs (executor/OS wake-up of the parked loop)",
                timerLate.stream().mapToLong(Long::longValue).toArray()));
        breakdown.add(segment("timer runs -> send (wake head, re-admit, build upstream request)", t));
        breakdown.add(String.format(Locale.ROOT, "      %d requests sent in %d ms (%.2f ms per window slide)",
                n, elapsedMs, elapsedMs / (double) (n - 1)));
        return new Handoff(label, Stats.ofNanos(slideToSend), breakdown, gcs, null);
    }

    record Cost(String label, double medianNs, double minNs, double maxNs, double bytesPerRequest, double gcMsPerRound) {
    }

    static final com.sun.management.ThreadMXBean THREADS =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

    static long gcMillis() {
        long n = 0;
        for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
            n += Math.max(0, gc.getCollectionTime());
        }
        return n;
    }

    /**
     * forward() of a request that is admitted at once, whole lifecycle in-process: authenticate, parse,
     * choose the backend, admit, build the upstream request, relay the answer (the fake backend answers
     * during send), settle, record. Rounds alternate the configurations so that drift hits all alike.
     */
    static long costWindowMillis() {
        return Long.getLong("queue.bench.costWindowMillis", 10);
    }

    static List<Cost> forwardCost(int warmRounds, int rounds, int perRound) throws Exception {
        rec = new Recorder(1);
        RecordingClock clock = new RecordingClock();
        // compressed windows (default a 10 ms "minute", a 20 ms "day"): the sliding windows are in steady state
        // and hold few entries, as in a gateway whose request rate is far below this loop's (see README)
        long window = costWindowMillis();
        Limits generousBackend = limits(1_000_000_000, 1_000_000_000_000L, 1_000_000_000, 1_000_000);
        Limits generousApp = limits(1_000_000_000, 1_000_000_000_000L, null, 1_000_000);
        String[] labels = {"no limits configured", "backend limits (rpm, tpm, rpd, maxConcurrent)",
                "backend + app limits (rpm, tpm, maxConcurrent)"};
        Gateway[] gws = {
                new Gateway(Limits.NONE, Limits.NONE, new LocalRateLimitStore(window, 2 * window),
                        new FakeUpstream(FakeUpstream.Mode.ANSWER_DURING_SEND, 0, clock), clock, false),
                new Gateway(generousBackend, Limits.NONE, new LocalRateLimitStore(window, 2 * window),
                        new FakeUpstream(FakeUpstream.Mode.ANSWER_DURING_SEND, 0, clock), clock, false),
                new Gateway(generousBackend, generousApp, new LocalRateLimitStore(window, 2 * window),
                        new FakeUpstream(FakeUpstream.Mode.ANSWER_DURING_SEND, 0, clock), clock, false)};
        CountingSink sink = new CountingSink();
        double[][] nsPerReq = new double[gws.length][rounds];
        double[] allocated = new double[gws.length];
        double[] gcMs = new double[gws.length];
        for (int round = 0; round < warmRounds + rounds; round++) {
            for (int j = 0; j < gws.length; j++) {
                int c = (round + j) % gws.length;
                Gateway gw = gws[c];
                long gc0 = gcMillis();
                long[] result = LOOP.submit(() -> {
                    String id = "req-bench";
                    long a0 = THREADS.getCurrentThreadAllocatedBytes();
                    long t0 = System.nanoTime();
                    for (int i = 0; i < perRound; i++) {
                        gw.proxy.forward(call(id, BODY), sink);
                    }
                    long t1 = System.nanoTime();
                    return new long[]{t1 - t0, THREADS.getCurrentThreadAllocatedBytes() - a0};
                }).get();
                if (round >= warmRounds) {
                    nsPerReq[c][round - warmRounds] = result[0] / (double) perRound;
                    allocated[c] += result[1] / (double) perRound / rounds;
                    gcMs[c] += (gcMillis() - gc0) / (double) rounds;
                }
            }
        }
        long expected = (long) (warmRounds + rounds) * perRound * gws.length;
        require(sink.ok == expected && sink.failed == 0, "all 200: ok=" + sink.ok + " failed=" + sink.failed);
        for (Gateway gw : gws) {
            require(gw.routing.queue().size() == 0, "nothing queued");
        }
        List<Cost> out = new ArrayList<>();
        for (int c = 0; c < gws.length; c++) {
            double[] v = nsPerReq[c].clone();
            Arrays.sort(v);
            out.add(new Cost(labels[c], v[v.length / 2], v[0], v[v.length - 1], allocated[c], gcMs[c]));
        }
        return out;
    }

    /**
     * What the limited path adds, piece by piece, on the loop thread: the prompt token count that every
     * limit needs (the request's estimate), and one admission + settlement in the local store.
     */
    static List<Cost> parts(int n) throws Exception {
        dev.sluice.domain.openai.RequestBody body =
                ((dev.sluice.domain.openai.RequestBody.Valid) dev.sluice.domain.openai.RequestBody.parse(BODY)).body();
        UUID id = UUID.randomUUID();
        Limits backend = limits(1_000_000_000, 1_000_000_000_000L, 1_000_000_000, 1_000_000);
        LocalRateLimitStore store = new LocalRateLimitStore(costWindowMillis(), 2 * costWindowMillis());
        java.util.function.LongUnaryOperator[] ops = {
                i -> TokenCounter.ESTIMATE.promptTokens(MODEL, dev.sluice.domain.openai.PromptText.of(body)),
                i -> {
                    long now = System.currentTimeMillis();
                    String scope = "backend:" + id;
                    dev.sluice.domain.limits.Admission a = store.tryAdmit(scope, backend, now, 95);
                    store.settle(scope, ((dev.sluice.domain.limits.Admission.Admitted) a).permit(), 39, now);
                    return 1;
                }};
        String[] labels = {"  prompt token estimate (PromptText.of)",
                "  scope + tryAdmit + settle, 3 windows"};
        List<Cost> out = new ArrayList<>();
        for (int k = 0; k < ops.length; k++) {
            java.util.function.LongUnaryOperator op = ops[k];
            double[] v = new double[9];
            double bytes = 0;
            for (int round = 0; round < 3 + v.length; round++) {
                long[] r = LOOP.submit(() -> {
                    long sink = 0;
                    long a0 = THREADS.getCurrentThreadAllocatedBytes();
                    long t0 = System.nanoTime();
                    for (int i = 0; i < n; i++) {
                        sink += op.applyAsLong(i);
                    }
                    long t1 = System.nanoTime();
                    return new long[]{t1 - t0, THREADS.getCurrentThreadAllocatedBytes() - a0, sink};
                }).get();
                if (round >= 3) {
                    v[round - 3] = r[0] / (double) n;
                    bytes += r[1] / (double) n / v.length;
                }
            }
            Arrays.sort(v);
            out.add(new Cost(labels[k], v[v.length / 2], v[0], v[v.length - 1], bytes, Double.NaN));
        }
        return out;
    }

    // ------------------------------------------------------------------ heap

    static final MemoryMXBean MEMORY = ManagementFactory.getMemoryMXBean();

    static long heapUsedAfterGc() throws InterruptedException {
        for (int i = 0; i < 4; i++) {
            System.gc();
            Thread.sleep(100);
        }
        return MEMORY.getHeapMemoryUsage().getUsed();
    }

    static long gcCount() {
        long n = 0;
        for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
            n += Math.max(0, gc.getCollectionCount());
        }
        return n;
    }

    /** The live-object class histogram (jcmd GC.class_histogram), or null where the JVM has none. */
    static String classHistogram() {
        try {
            return (String) ManagementFactory.getPlatformMBeanServer().invoke(
                    new ObjectName("com.sun.management:type=DiagnosticCommand"), "gcClassHistogram",
                    new Object[]{new String[0]}, new String[]{String[].class.getName()});
        } catch (Exception e) {
            return null;
        }
    }

    static final Pattern HISTO_LINE = Pattern.compile("^\\s*\\d+:\\s+(\\d+)\\s+(\\d+)\\s+(\\S+)");

    static Map<String, long[]> parseHistogram(String text) {
        Map<String, long[]> m = new HashMap<>();
        for (String line : text.split("\n")) {
            Matcher x = HISTO_LINE.matcher(line);
            if (x.find()) {
                m.merge(x.group(3), new long[]{Long.parseLong(x.group(1)), Long.parseLong(x.group(2))},
                        (a, b) -> new long[]{a[0] + b[0], a[1] + b[1]});
            }
        }
        return m;
    }

    static Memory histogramDiff(long before, long after, int n, String histBefore, String histAfter) {
        List<String> top = new ArrayList<>();
        long delta = 0;
        if (histBefore != null && histAfter != null && !histBefore.equals("null")) {
            Map<String, long[]> b = parseHistogram(histBefore);
            Map<String, long[]> a = parseHistogram(histAfter);
            List<Map.Entry<String, long[]>> diffs = new ArrayList<>();
            for (Map.Entry<String, long[]> e : a.entrySet()) {
                long[] was = b.getOrDefault(e.getKey(), new long[2]);
                long[] d = {e.getValue()[0] - was[0], e.getValue()[1] - was[1]};
                delta += d[1];
                diffs.add(Map.entry(e.getKey(), d));
            }
            for (Map.Entry<String, long[]> e : b.entrySet()) {
                if (!a.containsKey(e.getKey())) {
                    delta -= e.getValue()[1];
                }
            }
            diffs.sort((x, y) -> Long.compare(y.getValue()[1], x.getValue()[1]));
            for (Map.Entry<String, long[]> e : diffs.subList(0, Math.min(14, diffs.size()))) {
                top.add(String.format(Locale.ROOT, "      %8.1f B  %5.2f objects  %s",
                        e.getValue()[1] / (double) n, e.getValue()[0] / (double) n, shortName(e.getKey())));
            }
        }
        return new Memory(before, after, n, top, delta);
    }

    static String shortName(String cls) {
        return cls.replace("dev.sluice.application.", "").replace("dev.sluice.domain.", "")
                .replace("java.util.concurrent.", "j.u.c.").replace("java.util.", "j.u.");
    }

    // ------------------------------------------------------------------ report

    static void require(boolean condition, String what) {
        if (!condition) {
            throw new IllegalStateException("benchmark invariant broken: " + what);
        }
    }

    static String loadAverage() {
        try {
            String[] f = Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+");
            return f[0] + " " + f[1] + " " + f[2];
        } catch (Exception e) {
            return "n/a";
        }
    }

    static String handoffRow(Handoff h) {
        Stats s = h.total;
        return String.format(Locale.ROOT, "  %-46s %5d %8.1f %8.1f %8.1f %9.1f %8.1f %4d", h.label, s.n, s.p50, s.p99,
                s.p999, s.max, s.mean, h.gcs);
    }

    public static void main(String[] args) throws Exception {
        long started = System.nanoTime();
        Runtime rt = Runtime.getRuntime();
        List<String> gcs = ManagementFactory.getGarbageCollectorMXBeans().stream().map(GarbageCollectorMXBean::getName).toList();
        System.out.printf(Locale.ROOT, "Sluice queue benchmark  %s%n", Instant.now().truncatedTo(java.time.temporal.ChronoUnit.SECONDS));
        System.out.printf(Locale.ROOT, "JVM %s (%s), %d CPUs, max heap %d MiB, GC %s%n", System.getProperty("java.vm.version"),
                System.getProperty("java.vm.vendor"), rt.availableProcessors(), rt.maxMemory() >> 20, gcs);
        System.out.printf(Locale.ROOT, "load average at start: %s%n", loadAverage());
        System.out.printf(Locale.ROOT, "one event loop thread runs every request, timer and woken waiter; request body %d bytes%n%n",
                BODY.length);

        // warm-up (JIT) runs of the same scenarios; their numbers are dropped
        concurrencyRun("warm-up", REQUESTS, WakeMode.INLINE, false);
        concurrencyRun("warm-up", REQUESTS, WakeMode.POSTED, false);
        concurrencyRun("warm-up", REQUESTS, WakeMode.INLINE, false);
        Handoff inline = concurrencyRun("maxConcurrent 1, wake inline (as production)", REQUESTS, WakeMode.INLINE, true);
        Handoff posted = concurrencyRun("maxConcurrent 1, wake posted to the loop", REQUESTS, WakeMode.POSTED, false);
        rpmRun("warm-up", 2_000, 1);
        Handoff rpm = rpmRun("rpm 1 per 1 ms window: slot free -> send", REQUESTS, 1);
        List<Cost> costs = forwardCost(5, 15, 100_000);
        List<Cost> parts = parts(200_000);

        Memory m = inline.memory;
        System.out.println("(a) Memory per queued request  (one backend, maxConcurrent 1; " + REQUESTS
                + " requests at once: 1 in flight, " + (REQUESTS - 1) + " queued)");
        System.out.printf(Locale.ROOT, "    heap used after GC, before        %8.2f MiB%n", m.before / 1048576.0);
        System.out.printf(Locale.ROOT, "    heap used after GC, with queue    %8.2f MiB%n", m.after / 1048576.0);
        System.out.printf(Locale.ROOT, "    per request  (delta / %d)      %8.0f bytes   (class histogram delta: %.0f bytes)%n",
                REQUESTS, m.perRequest(), m.histogramDelta / (double) REQUESTS);
        System.out.printf(Locale.ROOT, "    of which the client's own data: body byte[%d] = %d B, request id String(36) = 80 B%n",
                BODY.length, 16 + ((BODY.length + 7) / 8) * 8);
        if (!m.topClasses.isEmpty()) {
            System.out.println("    largest classes, per request (live-object histogram delta / " + REQUESTS + "):");
            m.topClasses.forEach(System.out::println);
        }
        System.out.println();
        System.out.println("(b) Hand-off: capacity frees -> next queued request sent to the backend, in microseconds");
        System.out.println("    (after warm-up runs of the same scenario; capacity frees = just before the backend's onEnd,");
        System.out.println("     or, for rpm, the millisecond the oldest admission leaves the window)");
        System.out.printf(Locale.ROOT, "  %-46s %5s %8s %8s %8s %9s %8s %4s%n", "scenario", "n", "p50", "p99", "p99.9", "max", "mean", "GCs");
        for (Handoff h : List.of(inline, posted, rpm)) {
            System.out.println(handoffRow(h));
            h.breakdown.forEach(System.out::println);
        }
        double p99 = inline.total.p99;
        System.out.printf(Locale.ROOT, "  target p99 < 1000 us (maxConcurrent, as production): %s (p99 %.1f us)%n%n",
                p99 < 1000 ? "met" : "NOT met", p99);

        System.out.println("(c) forward() cost of a request that is admitted at once (nothing waits), ns per request");
        System.out.println("    (whole lifecycle in-process, the fake backend answers during send; 15 rounds x 100 000");
        System.out.println("     requests per configuration after 5 warm-up rounds, configurations interleaved;");
        System.out.println("     limit windows compressed to a " + costWindowMillis() + " ms minute / " + 2 * costWindowMillis()
                + " ms day so that they are in steady state)");
        System.out.printf(Locale.ROOT, "  %-48s %7s %7s %7s %8s %9s %8s%n", "configuration", "median", "min", "max",
                "vs none", "B alloc", "GC ms/rd");
        double base = costs.getFirst().medianNs;
        for (Cost c : costs) {
            System.out.printf(Locale.ROOT, "  %-48s %7.0f %7.0f %7.0f %+8.0f %9.0f %8.1f%n", c.label, c.medianNs, c.minNs,
                    c.maxNs, c.medianNs - base, c.bytesPerRequest, c.gcMsPerRound);
        }
        System.out.println("  what a limited request adds, measured alone (9 rounds x 200 000):");
        for (Cost c : parts) {
            System.out.printf(Locale.ROOT, "  %-48s %7.0f %7.0f %7.0f %8s %9.0f%n", c.label, c.medianNs, c.minNs,
                    c.maxNs, "", c.bytesPerRequest);
        }
        System.out.println();
        System.out.printf(Locale.ROOT, "load average at end: %s; total %.1f s%n", loadAverage(), (System.nanoTime() - started) / 1e9);
        LOOP.shutdownNow();
    }
}
