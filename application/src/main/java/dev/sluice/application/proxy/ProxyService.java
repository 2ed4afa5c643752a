package dev.sluice.application.proxy;

import dev.sluice.application.config.ConfigSnapshot;
import dev.sluice.application.config.LiveConfiguration;
import dev.sluice.application.port.DelayScheduler;
import dev.sluice.application.queue.AdmissionQueue;
import dev.sluice.application.port.RequestLog;
import dev.sluice.application.port.UpstreamClient;
import dev.sluice.application.port.UpstreamExchange;
import dev.sluice.application.port.UpstreamFailure;
import dev.sluice.application.port.UpstreamListener;
import dev.sluice.application.port.UpstreamRequest;
import dev.sluice.application.routing.Routing;
import dev.sluice.domain.app.AppPolicy;
import dev.sluice.domain.app.Caller;
import dev.sluice.domain.backend.Backend;
import dev.sluice.domain.limits.Admission;
import dev.sluice.domain.limits.Limits;
import dev.sluice.domain.limits.Permit;
import dev.sluice.domain.limits.PriorityClass;
import dev.sluice.domain.quota.Quota;
import dev.sluice.domain.quota.QuotaCounter;
import dev.sluice.domain.openai.Endpoint;
import dev.sluice.domain.openai.JsonScanner;
import dev.sluice.domain.openai.OpenAiError;
import dev.sluice.domain.openai.PromptText;
import dev.sluice.domain.openai.RequestBody;
import dev.sluice.domain.openai.ResponseTail;
import dev.sluice.domain.openai.SseOutputCap;
import dev.sluice.domain.openai.SseUsageFilter;
import dev.sluice.domain.openai.StreamConversion;
import dev.sluice.domain.openai.Usage;
import dev.sluice.domain.openai.UsageParser;
import dev.sluice.domain.routing.AttemptOutcome;
import dev.sluice.domain.routing.CircuitBreaker;
import dev.sluice.domain.routing.FailoverDecision;
import dev.sluice.domain.routing.RetryAfter;
import dev.sluice.domain.routing.Route;
import dev.sluice.domain.usage.AttemptRecord;
import dev.sluice.domain.usage.RequestRecord;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The proxy use case: authenticate the caller, read the body, choose a backend (priority, then
 * smooth weighted round robin, skipping disabled, unhealthy and cooling-down ones), forward,
 * fail over by the rules of {@link dev.sluice.domain.routing.FailoverPolicy} until the first
 * byte reaches the client, relay the answer as it arrives, and record the request with all its
 * attempts. It runs on the client connection's event loop and never blocks: everything it reads
 * is in the in-memory configuration snapshot, and waits (backoff, deadline) are scheduled.
 */
public final class ProxyService {
    /** Status recorded for a request whose client went away before the answer was complete. */
    public static final int CLIENT_CLOSED_REQUEST = 499;

    private static final System.Logger LOG = System.getLogger(ProxyService.class.getName());
    private static final String JSON = "application/json";
    private static final String EVENT_STREAM = "text/event-stream";
    private static final int MAX_CONVERTED_BYTES = 32 * 1024 * 1024;

    private final LiveConfiguration configuration;
    private final UpstreamClient upstream;
    private final RequestLog requestLog;
    private final ProxySettings settings;
    private final Routing routing;

    public ProxyService(LiveConfiguration configuration, UpstreamClient upstream, RequestLog requestLog,
                        ProxySettings settings, Routing routing) {
        this.configuration = configuration;
        this.upstream = upstream;
        this.requestLog = requestLog;
        this.settings = settings;
        this.routing = routing;
    }

    /** A proxy whose retries do not wait and which has no request deadline (tests and tools). */
    public ProxyService(LiveConfiguration configuration, UpstreamClient upstream, RequestLog requestLog, ProxySettings settings) {
        this(configuration, upstream, requestLog, settings, Routing.immediate(Clock.systemUTC()));
    }

    /** {@code GET /v1/models}: the models the caller may use, in the OpenAI list format. */
    public void listModels(ProxyCall call, ResponseSink sink) {
        ConfigSnapshot snapshot = configuration.current();
        Authentication auth = authenticate(snapshot, call);
        if (auth instanceof Authentication.Refused refused) {
            respondError(sink, call, refused.error());
            return;
        }
        StringBuilder json = new StringBuilder(64 + snapshot.routing().models().size() * 80);
        json.append("{\"object\":\"list\",\"data\":[");
        boolean first = true;
        List<String> models = new ArrayList<>(snapshot.routing().models());
        if (!snapshot.autoModels().isEmpty() && !models.contains(ConfigSnapshot.AUTO_MODEL)) {
            models.add(ConfigSnapshot.AUTO_MODEL);
        }
        for (String model : models) {
            if (!first) {
                json.append(',');
            }
            first = false;
            json.append("{\"id\":").append(JsonScanner.quote(model))
                    .append(",\"object\":\"model\",\"created\":0,\"owned_by\":\"sluice\"}");
        }
        json.append("]}");
        respond(sink, call, 200, json.toString().getBytes(StandardCharsets.UTF_8));
    }

    /** {@code POST /v1/chat/completions}, {@code /v1/completions}, {@code /v1/embeddings}. */
    public void forward(ProxyCall call, ResponseSink sink) {
        ConfigSnapshot snapshot = configuration.current();
        Authentication auth = authenticate(snapshot, call);
        if (auth instanceof Authentication.Refused refused) {
            reject(call, sink, Optional.empty(), Optional.empty(), refused.error(), false);
            return;
        }
        Caller caller = ((Authentication.Accepted) auth).caller();
        RequestBody body;
        switch (RequestBody.parse(call.body())) {
            case RequestBody.Invalid invalid -> {
                reject(call, sink, Optional.of(caller), Optional.empty(), invalid.error(), false);
                return;
            }
            case RequestBody.Valid valid -> body = valid.body();
        }
        boolean stream = call.endpoint().streamable() && body.stream();
        List<String> models = candidateModels(snapshot, body.model());
        if (models.isEmpty()) {
            reject(call, sink, Optional.of(caller), Optional.of(body.model()), OpenAiError.modelNotFound(body.model()), stream);
            return;
        }
        new Exchange(call, sink, caller, body, stream, snapshot, models).start();
    }

    /** The public models that may serve the request: the model itself, or the ordered list behind {@code auto}. */
    private static List<String> candidateModels(ConfigSnapshot snapshot, String model) {
        if (!snapshot.routing().routes(model).isEmpty()) {
            return List.of(model);
        }
        if (ConfigSnapshot.AUTO_MODEL.equals(model)) {
            return snapshot.autoModels().stream().filter(m -> !snapshot.routing().routes(m).isEmpty()).toList();
        }
        return List.of();
    }

    private Authentication authenticate(ConfigSnapshot snapshot, ProxyCall call) {
        if (settings.apiKeysRequired()) {
            if (call.bearerToken().isEmpty()) {
                return new Authentication.Refused(OpenAiError.missingApiKey());
            }
            return snapshot.keys().authenticate(call.bearerToken().get())
                    .<Authentication>map(Authentication.Accepted::new)
                    .orElseGet(() -> new Authentication.Refused(OpenAiError.invalidApiKey()));
        }
        Optional<String> appName = call.appName().filter(n -> !n.isBlank());
        if (appName.isEmpty()) {
            return new Authentication.Refused(OpenAiError.missingAppName());
        }
        return new Authentication.Accepted(snapshot.keys().byAppName(appName.get().strip()));
    }

    private void reject(ProxyCall call, ResponseSink sink, Optional<Caller> caller, Optional<String> model,
                        OpenAiError error, boolean stream) {
        respondError(sink, call, error);
        requestLog.append(new RequestRecord(call.requestId(), call.receivedAt(), call.endpoint(),
                caller.flatMap(Caller::appId), caller.map(Caller::appName), model,
                Optional.empty(), Optional.empty(), error.status(), Optional.ofNullable(error.code()),
                micros(System.nanoTime() - call.receivedNanos()), OptionalLong.empty(), Optional.empty(),
                stream, false));
    }

    private static void respondError(ResponseSink sink, ProxyCall call, OpenAiError error) {
        respondError(sink, call, error, Map.of());
    }

    private static void respondError(ResponseSink sink, ProxyCall call, OpenAiError error, Map<String, String> extraHeaders) {
        byte[] json = error.toJsonBytes();
        Map<String, String> headers = new HashMap<>(extraHeaders);
        headers.put("x-request-id", call.requestId());
        sink.head(error.status(), JSON, json.length, headers);
        sink.chunk(json);
        sink.end();
    }

    private static void respond(ResponseSink sink, ProxyCall call, int status, byte[] json) {
        sink.head(status, JSON, json.length, Map.of("x-request-id", call.requestId()));
        sink.chunk(json);
        sink.end();
    }

    private static long micros(long nanos) {
        return nanos / 1_000;
    }

    private sealed interface Authentication {
        record Accepted(Caller caller) implements Authentication {
        }

        record Refused(OpenAiError error) implements Authentication {
        }
    }

    /** How an attempt's answer reaches the client. */
    private enum Mode {
        /** relayed as it arrives (non-stream answers, error answers) */
        PLAIN,
        /** SSE relayed event by event, usage picked up, the unasked-for usage chunk dropped */
        SSE,
        /** a non-streamed answer replayed as SSE to a client that asked for a stream */
        REPLAY,
        /** a streamed answer gathered into one JSON for a client that did not ask for a stream */
        AGGREGATE
    }

    /** One request from its first attempt to its record; every callback runs on the client's event loop. */
    private final class Exchange implements AdmissionQueue.Waiter {
        private final ProxyCall call;
        private final ResponseSink sink;
        private final Caller caller;
        private final RequestBody body;
        private final boolean stream;
        private final ConfigSnapshot snapshot;
        private final List<String> models;
        private final Set<UUID> givenUp = new HashSet<>();
        private final List<AttemptRecord> attempts = new ArrayList<>();
        private Attempt current;
        private int retriesOnCurrent;
        private boolean finished;
        private boolean clientHeadSent;
        private long firstByteNanos = -1;
        private int rateLimitedAttempts;
        private Duration shortestRetryAfter;
        private DelayScheduler.Cancellable deadline;
        private DelayScheduler.Cancellable backoff;
        private int promptTokens = -1;
        private long estimate = -1;
        private final Set<UUID> blockedNow = new HashSet<>();
        private Permit permit;
        private String permitScope;
        private AppPolicy policy;
        private Permit appPermit;
        private QuotaCounter.Reservation appQuota;
        private QuotaCounter.Reservation backendQuota;
        private String backendQuotaScope;
        private boolean waiting;
        /** Calls of next(): one nested in a send (a failure reported at once) has settled the queue itself. */
        private int turns;
        private boolean queuedOnce;
        private String waitModel;
        private long enqueuedAtNanos;
        private long waitRetryAt = Long.MAX_VALUE;
        private long queuedNanos = -1;
        private boolean usageEstimated;
        private DelayScheduler.Cancellable waitDeadline;

        Exchange(ProxyCall call, ResponseSink sink, Caller caller, RequestBody body, boolean stream,
                 ConfigSnapshot snapshot, List<String> models) {
            this.call = call;
            this.sink = sink;
            this.caller = caller;
            this.body = body;
            this.stream = stream;
            this.snapshot = snapshot;
            this.models = models;
        }

        void start() {
            sink.onClientGone(this::clientGone);
            sink.onWritabilityChanged(writable -> {
                Attempt a = current;
                if (a != null && a.exchange != null && !finished) {
                    if (writable) {
                        a.exchange.resume();
                    } else {
                        a.exchange.pause();
                    }
                }
            });
            if (routing.requestDeadline().isPositive()) {
                Duration left = routing.requestDeadline().minusNanos(System.nanoTime() - call.receivedNanos());
                deadline = routing.scheduler().schedule(left.isNegative() ? Duration.ZERO : left, this::deadlineExceeded);
            }
            policy = snapshot.keys().policyOf(caller);
            if (!finished && appQuotaAllows()) {
                next();
            }
        }

        private String appScope() {
            return caller.appId().map(id -> "app:" + id).orElse("app-name:" + caller.appName());
        }

        /** An app whose quota is spent gets 429 quota_exceeded at once, with the reset time. */
        private boolean appQuotaAllows() {
            if (policy.quota().isEmpty()) {
                return true;
            }
            Quota quota = policy.quota().get();
            long tokens = estimate(snapshot.routing().routes(models.getFirst()).getFirst());
            if (routing.quotas().check(appScope(), quota, tokens) instanceof QuotaCounter.Check.Exhausted spent) {
                finished = true;
                cancelTimers();
                long seconds = Math.max(1, Duration.between(routing.quotas().now(), spent.resetAt()).toSeconds() + 1);
                OpenAiError error = new OpenAiError(429, "insufficient_quota", "quota_exceeded",
                        "The " + spent.what() + " quota of app '" + caller.appName() + "' is spent until "
                                + spent.resetAt() + " (" + quota.period().expression() + " " + quota.zone() + ").", null);
                respondError(sink, call, error, Map.of("retry-after", Long.toString(seconds)));
                record(error.status(), Optional.of(error.code()), Optional.empty(), false, null);
                return false;
            }
            appQuota = routing.quotas().reserve(appScope(), quota, tokens);
            return true;
        }

        /**
         * Picks the next backend: the best eligible one of the first candidate model that has one and
         * whose limits admit the request now. When only limits stand in the way, the request waits in
         * the queue; when no backend could ever take it (its size), it is refused.
         */
        private void next() {
            int turn = ++turns;
            long now = routing.health().now();
            blockedNow.clear();
            if (!queuedOnce && routing.queue().hasWaiters(models.getFirst())) {
                // others wait for this model: arrival order is kept, so this one queues behind them
                waitInQueue(models.getFirst(), Long.MAX_VALUE);
                return;
            }
            long retryAt = Long.MAX_VALUE;
            String blockingModel = null;
            Admission.Never never = null;
            if (appPermit == null && !policy.limits().isEmpty()) {
                Admission app = routing.limits().tryAdmit(appScope(), policy.limits(), now,
                        estimate(snapshot.routing().routes(models.getFirst()).getFirst()));
                switch (app) {
                    case Admission.Admitted admitted -> appPermit = admitted.permit();
                    case Admission.Wait wait -> {
                        waitInQueue(waiting ? waitModel : models.getFirst(), wait.retryAt());
                        return;
                    }
                    case Admission.Never refused -> {
                        refuseTooLarge(refused);
                        return;
                    }
                }
            }
            for (String model : models) {
                List<Route> routes = snapshot.routing().routes(model);
                Optional<Route> pick;
                while ((pick = routing.selector().select(model, routes, r -> eligible(r, now))).isPresent()) {
                    Route route = pick.get();
                    Backend backend = route.backend();
                    Optional<Quota> backendQuotaRule = backend.options().quota();
                    if (backendQuotaRule.isPresent() && routing.quotas().check(scope(backend), backendQuotaRule.get(),
                            estimate(route)) instanceof QuotaCounter.Check.Exhausted) {
                        givenUp.add(backend.id()); // its quota is spent until the period resets: the next backend serves
                        continue;
                    }
                    Limits limits = backend.options().limits();
                    Permit admitted = null;
                    if (!limits.isEmpty()) {
                        Admission admission = routing.limits().tryAdmit(scope(backend), limits, now, estimate(route));
                        if (admission instanceof Admission.Wait wait) {
                            blockedNow.add(backend.id());
                            retryAt = Math.min(retryAt, wait.retryAt());
                            blockingModel = blockingModel == null ? model : blockingModel;
                            continue;
                        }
                        if (admission instanceof Admission.Never refused) {
                            never = refused;
                            givenUp.add(backend.id());
                            continue;
                        }
                        admitted = ((Admission.Admitted) admission).permit();
                    }
                    if (routing.health().of(backend.id()).tryAcquire(now)) {
                        permit = admitted;
                        permitScope = admitted == null ? null : scope(backend);
                        if (backendQuotaRule.isPresent()) {
                            settleBackendQuota(0);
                            backendQuota = routing.quotas().reserve(scope(backend), backendQuotaRule.get(), estimate(route));
                            backendQuotaScope = scope(backend);
                        }
                        retriesOnCurrent = 0;
                        attempt(model, route);
                        if (turn == turns) {
                            // leaving the queue wakes the next waiter, perhaps at once on this thread: only
                            // after this one was sent, so that requests reach the backend in arrival order
                            admittedFromQueue();
                        }
                        return;
                    }
                    if (admitted != null) {
                        routing.limits().settle(scope(backend), admitted, 0, now);
                    }
                    givenUp.add(backend.id());
                }
            }
            if (blockingModel != null) {
                waitInQueue(waiting ? waitModel : blockingModel, retryAt);
                return;
            }
            if (never != null && attempts.isEmpty()) {
                refuseTooLarge(never);
                return;
            }
            exhausted();
        }

        private String scope(Backend backend) {
            return "backend:" + backend.id();
        }

        /**
         * Prompt tokens plus the output the request asks for (or the default), but no more output than
         * the app's and the route's backend's output cap let through (the body sent there is capped):
         * what it reserves in tpm and is checked against tpr. The first one computed is kept for the app.
         */
        private long estimate(Route route) {
            long output = call.endpoint() == Endpoint.EMBEDDINGS ? 0
                    : body.maxTokens().orElse(routing.defaultOutputTokens());
            long cap = outputCap(route.backend());
            if (cap >= 0) {
                output = Math.min(output, cap);
            }
            long tokens = promptTokens(route) + output;
            if (estimate < 0) {
                estimate = tokens;
            }
            return tokens;
        }

        /** Waits in the queue (or keeps waiting) until {@code retryAt}, or until capacity frees, or the deadline. */
        private void waitInQueue(String model, long retryAt) {
            if (!waiting) {
                queuedOnce = true;
                if (!routing.queue().enqueue(model, this)) {
                    finished = true;
                    cancelTimers();
                    OpenAiError error = new OpenAiError(429, "rate_limit_exceeded", "queue_full",
                            "The gateway's queue is full; retry shortly.", null);
                    respondError(sink, call, error, Map.of("retry-after", "1"));
                    record(error.status(), Optional.of(error.code()), Optional.empty(), false, current);
                    return;
                }
                waiting = true;
                waitModel = model;
                enqueuedAtNanos = System.nanoTime();
                Duration maxWait = policy.maxWait().orElse(routing.defaultMaxWait());
                if (call.maxWait().isPresent() && call.maxWait().get().compareTo(maxWait) < 0) {
                    maxWait = call.maxWait().get();
                }
                waitDeadline = routing.scheduler().schedule(maxWait, this::waitTimedOut);
            }
            waitRetryAt = retryAt;
            routing.queue().stillWaiting(waitModel, this, retryAt);
        }

        private void admittedFromQueue() {
            if (waiting) {
                waiting = false;
                queuedNanos = Math.max(0, queuedNanos) + (System.nanoTime() - enqueuedAtNanos);
                if (waitDeadline != null) {
                    waitDeadline.cancel();
                    waitDeadline = null;
                }
                routing.queue().leave(waitModel, this, AdmissionQueue.Outcome.ADMITTED);
            }
        }

        private void leaveQueue(AdmissionQueue.Outcome outcome) {
            if (waiting) {
                waiting = false;
                queuedNanos = Math.max(0, queuedNanos) + (System.nanoTime() - enqueuedAtNanos);
                if (waitDeadline != null) {
                    waitDeadline.cancel();
                    waitDeadline = null;
                }
                routing.queue().leave(waitModel, this, outcome);
            }
        }

        private void waitTimedOut() {
            waitDeadline = null;
            if (!waiting || finished) {
                return;
            }
            finished = true;
            leaveQueue(AdmissionQueue.Outcome.TIMED_OUT);
            cancelTimers();
            long now = routing.health().now();
            // one that queued behind others never checked the limits itself: the queue knows when a window slides
            long retryAt = waitRetryAt != Long.MAX_VALUE ? waitRetryAt : routing.queue().retryAt(waitModel);
            long seconds = retryAt == Long.MAX_VALUE ? 1 : Math.max(1, (retryAt - now + 999) / 1000);
            OpenAiError error = new OpenAiError(429, "rate_limit_exceeded", "rate_limit_exceeded",
                    "The backends of this model are at their rate limits; the request waited "
                            + (System.nanoTime() - enqueuedAtNanos) / 1_000_000 + " ms in the queue. Retry after "
                            + seconds + " s.", null);
            respondError(sink, call, error, Map.of("retry-after", Long.toString(seconds)));
            record(error.status(), Optional.of("queue_timeout"), Optional.empty(), false, current);
        }

        private void refuseTooLarge(Admission.Never never) {
            finished = true;
            cancelTimers();
            OpenAiError error = OpenAiError.invalidRequest("The request needs about " + never.requested()
                    + " tokens (prompt + max_tokens), more than any backend of this model takes ("
                    + never.limit() + " " + never.limitValue() + ").", "max_tokens");
            respondError(sink, call, error);
            record(error.status(), Optional.of("limit_" + never.limit()), Optional.empty(), false, current);
        }

        @Override
        public PriorityClass priority() {
            return policy == null ? PriorityClass.NORMAL : policy.priority();
        }

        @Override
        public long enqueuedAtNanos() {
            return enqueuedAtNanos;
        }

        @Override
        public void wake() {
            sink.execute(() -> {
                if (waiting && !finished) {
                    next();
                }
            });
        }

        private void settleBackendQuota(long tokens) {
            if (backendQuota != null) {
                routing.quotas().settle(backendQuotaScope, backendQuota, tokens);
                backendQuota = null;
            }
        }

        /** Gives back the permit of the backend being left: its slot frees, its tokens become what was used. */
        private void settlePermit(long tokens) {
            if (permit != null) {
                routing.limits().settle(permitScope, permit, tokens, routing.health().now());
                permit = null;
                permitScope = null;
                routing.queue().wakeAll();
            }
        }

        private boolean eligible(Route route, long now) {
            Backend backend = route.backend();
            if (givenUp.contains(backend.id()) || blockedNow.contains(backend.id())
                    || !routing.health().of(backend.id()).available(now)) {
                return false;
            }
            if (call.endpoint() == Endpoint.EMBEDDINGS && !backend.options().nonStreamSupport()) {
                return false;
            }
            OptionalInt maxContext = backend.options().maxContextTokens();
            return maxContext.isEmpty() || promptTokens(route) <= maxContext.getAsInt();
        }

        private int promptTokens(Route route) {
            if (promptTokens < 0) {
                promptTokens = routing.tokens().promptTokens(route.upstreamModel(), PromptText.of(body));
            }
            return promptTokens;
        }

        private void attempt(String model, Route route) {
            Backend backend = route.backend();
            Mode mode;
            RequestBody.UpstreamShape shape;
            if (stream) {
                mode = backend.options().streamSupport() ? Mode.SSE : Mode.REPLAY;
                shape = backend.options().streamSupport() ? RequestBody.UpstreamShape.AS_REQUESTED : RequestBody.UpstreamShape.NON_STREAM;
            } else if (call.endpoint().streamable() && !backend.options().nonStreamSupport()) {
                mode = Mode.AGGREGATE;
                shape = RequestBody.UpstreamShape.STREAM;
            } else {
                mode = Mode.PLAIN;
                shape = RequestBody.UpstreamShape.AS_REQUESTED;
            }
            boolean upstreamStreams = mode == Mode.SSE || mode == Mode.AGGREGATE;
            Map<String, String> headers = backend.requestHeaders();
            headers.put("content-type", JSON);
            headers.put("accept", upstreamStreams ? EVENT_STREAM : JSON);
            UpstreamRequest request = new UpstreamRequest("POST", backend.baseUrl() + call.endpoint().path(),
                    headers, body.forUpstream(route.upstreamModel(), shape,
                    shape != RequestBody.UpstreamShape.AS_REQUESTED || stream, outputCap(backend)),
                    Duration.ofMillis(backend.timeoutMs()));
            Attempt attempt = new Attempt(model, route, mode, attempts.size() + 1);
            current = attempt;
            UpstreamExchange exchange = upstream.send(request, attempt);
            if (!attempt.over) {
                attempt.exchange = exchange;
            }
        }

        /** The smaller of the app's and the backend's output caps, or -1 for none (never for embeddings). */
        private long outputCap(Backend backend) {
            if (call.endpoint() == Endpoint.EMBEDDINGS) {
                return -1;
            }
            long cap = Long.MAX_VALUE;
            if (policy.maxOutputTokens().isPresent()) {
                cap = policy.maxOutputTokens().getAsInt();
            }
            if (backend.options().maxOutputTokens().isPresent()) {
                cap = Math.min(cap, backend.options().maxOutputTokens().getAsInt());
            }
            return cap == Long.MAX_VALUE ? -1 : cap;
        }

        /** Decides what follows a failed attempt: the same backend again after a backoff, or the next one. */
        private void act(Attempt failed, FailoverDecision decision) {
            UUID id = failed.route.backend().id();
            switch (decision) {
                case FailoverDecision.RetrySameBackend retry -> {
                    retriesOnCurrent++;
                    backoff = routing.scheduler().schedule(retry.backoff(), () -> {
                        backoff = null;
                        if (finished) {
                            return;
                        }
                        if (routing.health().of(id).tryAcquire(routing.health().now())) {
                            attempt(failed.model, failed.route);
                        } else {
                            givenUp.add(id);
                            next();
                        }
                    });
                }
                case FailoverDecision.SwitchBackend switchBackend -> {
                    LOG.log(System.Logger.Level.INFO, "request {0}: switching from backend ''{1}'' after attempt {2} ({3})",
                            call.requestId(), failed.route.backend().name(), failed.number,
                            attempts.isEmpty() ? "failed" : describe(attempts.getLast()));
                    settlePermit(0);
                    settleBackendQuota(0);
                    if (switchBackend.cooldown().isPositive()) {
                        routing.health().of(id).coolDown(routing.health().now(), switchBackend.cooldown(), "rate limited by the backend (429)");
                    }
                    givenUp.add(id);
                    next();
                }
                case FailoverDecision.Deliver deliver -> throw new IllegalStateException("a failed attempt cannot be delivered");
            }
        }

        private static String describe(AttemptRecord a) {
            return a.status().isPresent() ? "HTTP " + a.status().getAsInt() : a.error().orElse("failed");
        }

        /** No backend left to try. */
        private void exhausted() {
            finished = true;
            cancelTimers();
            long backendsTried = attempts.stream().map(AttemptRecord::backendId).distinct().count();
            OpenAiError error;
            Map<String, String> headers = Map.of();
            String tried = backendsTried + " backend(s) tried in " + attempts.size() + " attempt(s)";
            if (!attempts.isEmpty() && rateLimitedAttempts == attempts.size()) {
                long seconds = shortestRetryAfter == null ? 1 : Math.max(1, (shortestRetryAfter.toMillis() + 999) / 1000);
                error = new OpenAiError(429, "rate_limit_exceeded", "rate_limit_exceeded",
                        "Every backend for this model is rate limited (" + tried + "); retry after " + seconds + " s.", null);
                headers = Map.of("retry-after", Long.toString(seconds));
            } else if (attempts.isEmpty()) {
                int known = models.stream().mapToInt(m -> snapshot.routing().routes(m).size()).sum();
                error = new OpenAiError(502, "api_error", "no_backend_available",
                        "No backend is available for model '" + body.model() + "': " + known
                                + " configured, none healthy or able to take the request; 0 tried.", null);
            } else if (attempts.stream().allMatch(a -> a.error().filter("pool_exhausted"::equals).isPresent())) {
                error = OpenAiError.overloaded("Too many requests in flight to the backends of this model (" + tried
                        + "); try again shortly.");
            } else if (attempts.stream().allMatch(a -> a.error().filter("timeout"::equals).isPresent())) {
                error = new OpenAiError(504, "api_error", "backend_timeout",
                        "No backend answered in time (" + tried + ").", null);
            } else if (attempts.stream().allMatch(a -> a.error().filter("connect"::equals).isPresent())) {
                error = new OpenAiError(502, "api_error", "backend_unreachable",
                        "No backend could be reached (" + tried + ").", null);
            } else {
                error = new OpenAiError(502, "api_error", "no_backend_available",
                        "No backend could answer: " + tried + ", all failed.", null);
            }
            respondError(sink, call, error, headers);
            record(error.status(), Optional.of(error.code()), Optional.empty(), false, current);
        }

        private void deadlineExceeded() {
            deadline = null;
            if (finished || clientHeadSent) {
                return; // once the answer has begun, the backend's own timeout guards it
            }
            finished = true;
            recordInFlight("request_deadline_exceeded");
            abandonCurrent();
            OpenAiError error = new OpenAiError(504, "api_error", "request_deadline_exceeded",
                    "The request did not get an answer within " + routing.requestDeadline().toSeconds() + " s ("
                            + attempts.size() + " attempt(s)).", null);
            respondError(sink, call, error);
            record(error.status(), Optional.of(error.code()), Optional.empty(), false, current);
        }

        private void clientGone() {
            if (finished) {
                return;
            }
            finished = true;
            Attempt a = current;
            recordInFlight("client_closed");
            abandonCurrent();
            Optional<Usage> usage = a != null ? a.streamUsage() : Optional.empty();
            record(CLIENT_CLOSED_REQUEST, Optional.of("client_closed"), usage, true, a);
        }

        /** The attempt cut short by the end of the request is one of its attempts too (before abandonCurrent marks it over). */
        private void recordInFlight(String error) {
            Attempt a = current;
            if (a != null && !a.over) {
                attempts.add(a.toRecord(a.delivering ? OptionalInt.of(a.status) : OptionalInt.empty(), Optional.of(error)));
            }
        }

        private void abandonCurrent() {
            cancelTimers();
            Attempt a = current;
            if (a != null && !a.over) {
                a.over = true;
                if (a.exchange != null) {
                    a.exchange.cancel();
                }
                routing.health().of(a.route.backend().id()).onAbandoned();
            }
        }

        private void cancelTimers() {
            if (deadline != null) {
                deadline.cancel();
                deadline = null;
            }
            if (backoff != null) {
                backoff.cancel();
                backoff = null;
            }
        }

        private void head(int status, String contentType, long length, Map<String, String> headers) {
            clientHeadSent = true;
            sink.head(status, contentType, length, headers);
        }

        private void record(int finalStatus, Optional<String> errorType, Optional<Usage> usage, boolean clientAborted,
                            Attempt last) {
            leaveQueue(AdmissionQueue.Outcome.GONE);
            long used = usage.map(u -> (long) u.totalTokens()).orElse(permit == null ? 0 : permit.estimate());
            settlePermit(used);
            settleBackendQuota(used);
            long appUsed = usage.map(u -> (long) u.totalTokens()).orElse(attempts.isEmpty() ? 0 : Math.max(estimate, 0));
            if (appPermit != null) {
                routing.limits().settle(appScope(), appPermit, appUsed, routing.health().now());
                appPermit = null;
                routing.queue().wakeAll();
            }
            if (appQuota != null) {
                routing.quotas().settle(appScope(), appQuota, appUsed);
                appQuota = null;
            }
            long now = System.nanoTime();
            Optional<UUID> backendId = last == null ? Optional.empty() : Optional.of(last.route.backend().id());
            Optional<String> backendName = last == null ? Optional.empty() : Optional.of(last.route.backend().name());
            String model = last == null ? body.model() : last.model;
            requestLog.append(new RequestRecord(call.requestId(), call.receivedAt(), call.endpoint(),
                    caller.appId(), Optional.of(caller.appName()), Optional.of(model), backendId, backendName,
                    finalStatus, errorType, micros(now - call.receivedNanos()),
                    firstByteNanos < 0 ? OptionalLong.empty() : OptionalLong.of(micros(firstByteNanos - call.receivedNanos())),
                    usage, stream, clientAborted, attempts, caller.keyId(),
                    queuedNanos < 0 ? OptionalLong.empty() : OptionalLong.of(micros(queuedNanos)), usageEstimated));
        }

        /** One try at one backend. Callbacks of an attempt that is over (cancelled, superseded) are ignored. */
        private final class Attempt implements UpstreamListener {
            private final String model;
            private final Route route;
            private final int number;
            private final long startNanos = System.nanoTime();
            private Mode mode;
            private UpstreamExchange exchange;
            private boolean over;
            private boolean delivering;
            private int status;
            private SseUsageFilter sseFilter;
            private SseOutputCap outputCap;
            private ResponseTail tail;
            private ByteArrayOutputStream buffer;
            private StreamConversion.Aggregator aggregator;

            Attempt(String model, Route route, Mode mode, int number) {
                this.model = model;
                this.route = route;
                this.mode = mode;
                this.number = number;
            }

            private boolean stale() {
                return over || finished || current != this;
            }

            private CircuitBreaker breaker() {
                return routing.health().of(route.backend().id());
            }

            AttemptRecord toRecord(OptionalInt statusCode, Optional<String> error) {
                return new AttemptRecord(number, route.backend().id(), route.backend().name(), statusCode, error,
                        micros(System.nanoTime() - startNanos));
            }

            @Override
            public void onHead(int upstreamStatus, Map<String, String> upstreamHeaders) {
                if (stale()) {
                    return;
                }
                status = upstreamStatus;
                Optional<Duration> retryAfter = RetryAfter.parse(upstreamHeaders.get("retry-after"), Instant.now());
                FailoverDecision decision = routing.policy().decide(new AttemptOutcome.Status(upstreamStatus, retryAfter),
                        retriesOnCurrent, route.backend().options().retry(), ThreadLocalRandom.current().nextDouble());
                if (!(decision instanceof FailoverDecision.Deliver)) {
                    over = true;
                    if (exchange != null) {
                        exchange.cancel();
                    }
                    if (upstreamStatus == 429) {
                        breaker().onAbandoned();
                        rateLimitedAttempts++;
                        Duration wait = retryAfter.orElse(Duration.ofSeconds(1));
                        if (shortestRetryAfter == null || wait.compareTo(shortestRetryAfter) < 0) {
                            shortestRetryAfter = wait;
                        }
                    } else {
                        breaker().onFailure(routing.health().now(), "HTTP " + upstreamStatus);
                    }
                    attempts.add(toRecord(OptionalInt.of(upstreamStatus), Optional.empty()));
                    act(this, decision);
                    return;
                }
                breaker().onSuccess(routing.health().now());
                delivering = true;
                deliverHead(upstreamStatus, upstreamHeaders);
            }

            private void deliverHead(int upstreamStatus, Map<String, String> upstreamHeaders) {
                boolean success = upstreamStatus >= 200 && upstreamStatus < 300;
                Map<String, String> headers = new HashMap<>(upstreamHeaders);
                headers.remove("content-length");
                headers.remove("content-type");
                headers.remove("retry-after");
                headers.put("x-request-id", call.requestId());
                if (upstreamHeaders.containsKey("retry-after") && !success) {
                    headers.put("retry-after", upstreamHeaders.get("retry-after"));
                }
                String contentType = upstreamHeaders.getOrDefault("content-type", JSON);
                boolean answerIsSse = contentType.regionMatches(true, 0, EVENT_STREAM, 0, EVENT_STREAM.length());
                if (!success || (mode == Mode.SSE && !answerIsSse) || (mode == Mode.AGGREGATE && !answerIsSse)) {
                    // errors pass through as they are; so does a backend that ignored "stream" and answered JSON
                    mode = Mode.PLAIN;
                }
                switch (mode) {
                    case SSE -> {
                        sseFilter = new SseUsageFilter(body.clientWantsStreamUsage(), true);
                        long cap = outputCap(route.backend());
                        if (cap >= 0) {
                            outputCap = new SseOutputCap(cap,
                                    text -> routing.tokens().promptTokens(route.upstreamModel(), new PromptText(List.of(text), 0)),
                                    body.clientWantsStreamUsage(), promptTokens(route), call.endpoint());
                        }
                        headers.put("cache-control", "no-cache");
                        head(upstreamStatus, EVENT_STREAM, -1, headers);
                    }
                    case PLAIN -> {
                        tail = success ? new ResponseTail(settings.responseTailBytes()) : null;
                        head(upstreamStatus, contentType, contentLength(upstreamHeaders), headers);
                    }
                    case REPLAY -> buffer = new ByteArrayOutputStream(8192);
                    case AGGREGATE -> aggregator = new StreamConversion.Aggregator(call.endpoint());
                }
            }

            @Override
            public void onChunk(byte[] data) {
                if (stale() || !delivering) {
                    return;
                }
                switch (mode) {
                    case SSE -> {
                        byte[] out = sseFilter.feed(data);
                        if (outputCap != null) {
                            out = outputCap.pass(out);
                        }
                        if (out.length > 0) {
                            firstByte();
                            sink.chunk(out);
                        }
                        if (outputCap != null && outputCap.cut()) {
                            endCutStream();
                        }
                    }
                    case PLAIN -> {
                        firstByte();
                        if (tail != null) {
                            tail.append(data);
                        }
                        sink.chunk(data);
                    }
                    case REPLAY -> {
                        if (buffer.size() + data.length > MAX_CONVERTED_BYTES) {
                            onFailure(new UpstreamFailure(UpstreamFailure.Kind.PROTOCOL, "answer too large to convert"));
                            return;
                        }
                        buffer.writeBytes(data);
                    }
                    case AGGREGATE -> aggregator.feed(data);
                }
            }

            /**
             * The stream's usage: as the backend reported it, or — for a stream that ended without it
             * (failed, cut, client gone) — estimated with the tokenizer from the prompt and the text streamed.
             */
            Optional<Usage> streamUsage() {
                if (sseFilter == null) {
                    return Optional.empty();
                }
                Optional<Usage> reported = sseFilter.usage();
                if (reported.isPresent()) {
                    return reported;
                }
                int prompt = promptTokens(route);
                int completion = routing.tokens().promptTokens(route.upstreamModel(),
                        new PromptText(List.of(sseFilter.text()), 0));
                usageEstimated = true;
                return Optional.of(new Usage(prompt, completion, prompt + completion));
            }

            /** The stream went past the output cap: it was ended cleanly; the backend request is cancelled. */
            private void endCutStream() {
                over = true;
                finished = true;
                cancelTimers();
                if (exchange != null) {
                    exchange.cancel();
                }
                sink.end();
                attempts.add(toRecord(OptionalInt.of(status), Optional.of("output_capped")));
                usageEstimated = true;
                record(status, Optional.of("output_capped"), Optional.of(outputCap.usage()), false, this);
            }

            private void firstByte() {
                if (firstByteNanos < 0) {
                    firstByteNanos = System.nanoTime();
                }
            }

            @Override
            public void onEnd() {
                if (stale() || !delivering) {
                    return;
                }
                byte[] replayed = null;
                byte[] answer = null;
                if (mode == Mode.REPLAY) {
                    answer = buffer.toByteArray();
                    replayed = StreamConversion.replayAsStream(answer, call.endpoint(), body.clientWantsStreamUsage()).orElse(null);
                    if (replayed == null) {
                        onFailure(new UpstreamFailure(UpstreamFailure.Kind.PROTOCOL, "answer is not a completion"));
                        return;
                    }
                }
                over = true;
                finished = true;
                cancelTimers();
                Optional<Usage> usage = Optional.empty();
                switch (mode) {
                    case SSE -> {
                        byte[] rest = sseFilter.finish();
                        if (rest.length > 0) {
                            firstByte();
                            sink.chunk(rest);
                        }
                        usage = streamUsage();
                    }
                    case PLAIN -> usage = tail == null ? Optional.empty() : tail.usage();
                    case REPLAY -> {
                        usage = UsageParser.findInTail(answer, answer.length);
                        byte[] events = replayed;
                        head(status, EVENT_STREAM, -1, Map.of("x-request-id", call.requestId(), "cache-control", "no-cache"));
                        firstByte();
                        sink.chunk(events);
                    }
                    case AGGREGATE -> {
                        byte[] json = aggregator.finish();
                        usage = aggregator.usage();
                        head(status, JSON, json.length, Map.of("x-request-id", call.requestId()));
                        firstByte();
                        sink.chunk(json);
                    }
                }
                sink.end();
                attempts.add(toRecord(OptionalInt.of(status), Optional.empty()));
                record(status, status >= 400 ? Optional.of("backend_status_" + status) : Optional.empty(), usage, false, this);
            }

            @Override
            public void onFailure(UpstreamFailure failure) {
                if (stale()) {
                    return;
                }
                over = true;
                String kind = failure.kind().name().toLowerCase(Locale.ROOT);
                if (clientHeadSent) {
                    finished = true;
                    cancelTimers();
                    breaker().onFailure(routing.health().now(), kind);
                    failMidAnswer(failure, kind);
                    return;
                }
                if (exchange != null) {
                    exchange.cancel();
                }
                attempts.add(toRecord(delivering ? OptionalInt.of(status) : OptionalInt.empty(), Optional.of(kind)));
                FailoverDecision decision;
                if (failure.kind() == UpstreamFailure.Kind.POOL_EXHAUSTED) {
                    breaker().onAbandoned();
                    decision = new FailoverDecision.SwitchBackend(Duration.ZERO);
                } else {
                    breaker().onFailure(routing.health().now(), kind);
                    AttemptOutcome outcome = switch (failure.kind()) {
                        case CONNECT -> new AttemptOutcome.ConnectFailed();
                        case TIMEOUT -> new AttemptOutcome.TimedOut();
                        default -> new AttemptOutcome.ConnectionBroken();
                    };
                    decision = routing.policy().decide(outcome, retriesOnCurrent, route.backend().options().retry(),
                            ThreadLocalRandom.current().nextDouble());
                }
                act(this, decision);
            }

            /** The answer had begun: end it as cleanly as the format allows and keep what was counted. */
            private void failMidAnswer(UpstreamFailure failure, String kind) {
                String backendName = route.backend().name();
                OpenAiError error = failure.kind() == UpstreamFailure.Kind.TIMEOUT
                        ? OpenAiError.backendTimeout(backendName)
                        : OpenAiError.backendFailed(backendName);
                Optional<Usage> usage = Optional.empty();
                if (mode == Mode.SSE) {
                    usage = streamUsage();
                    sink.chunk(error.toSseEvent());
                    sink.end();
                } else {
                    sink.abort();
                }
                attempts.add(toRecord(OptionalInt.of(status), Optional.of(kind)));
                record(status, Optional.of("stream_interrupted_" + kind), usage, false, this);
            }

            private long contentLength(Map<String, String> upstreamHeaders) {
                String value = upstreamHeaders.get("content-length");
                if (value == null) {
                    return -1;
                }
                try {
                    return Long.parseLong(value.trim());
                } catch (NumberFormatException e) {
                    return -1;
                }
            }
        }
    }
}
