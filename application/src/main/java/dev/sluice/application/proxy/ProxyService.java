package dev.sluice.application.proxy;

import dev.sluice.application.config.ConfigSnapshot;
import dev.sluice.application.config.LiveConfiguration;
import dev.sluice.application.port.RequestLog;
import dev.sluice.application.port.UpstreamClient;
import dev.sluice.application.port.UpstreamExchange;
import dev.sluice.application.port.UpstreamFailure;
import dev.sluice.application.port.UpstreamListener;
import dev.sluice.application.port.UpstreamRequest;
import dev.sluice.domain.app.Caller;
import dev.sluice.domain.backend.Backend;
import dev.sluice.domain.openai.Endpoint;
import dev.sluice.domain.openai.JsonScanner;
import dev.sluice.domain.openai.OpenAiError;
import dev.sluice.domain.openai.RequestBody;
import dev.sluice.domain.openai.ResponseTail;
import dev.sluice.domain.openai.SseUsageFilter;
import dev.sluice.domain.openai.Usage;
import dev.sluice.domain.routing.Route;
import dev.sluice.domain.usage.RequestRecord;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * The proxy use case: authenticate the caller, read the body, pick the backend, forward, relay
 * the answer as it arrives, and record the request. It runs on the client connection's event
 * loop and never blocks: everything it reads is in the in-memory configuration snapshot.
 */
public final class ProxyService {
    /** Status recorded for a request whose client went away before the answer was complete. */
    public static final int CLIENT_CLOSED_REQUEST = 499;

    private static final String JSON = "application/json";
    private static final String EVENT_STREAM = "text/event-stream";

    private final LiveConfiguration configuration;
    private final UpstreamClient upstream;
    private final RequestLog requestLog;
    private final ProxySettings settings;

    public ProxyService(LiveConfiguration configuration, UpstreamClient upstream, RequestLog requestLog, ProxySettings settings) {
        this.configuration = configuration;
        this.upstream = upstream;
        this.requestLog = requestLog;
        this.settings = settings;
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
        for (String model : snapshot.routing().models()) {
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
        Optional<Route> route = snapshot.routing().first(body.model());
        if (route.isEmpty()) {
            reject(call, sink, Optional.of(caller), Optional.of(body.model()), OpenAiError.modelNotFound(body.model()), stream);
            return;
        }
        new Exchange(call, sink, caller, body, stream, route.get()).start();
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
        byte[] json = error.toJsonBytes();
        sink.head(error.status(), JSON, json.length, Map.of("x-request-id", call.requestId()));
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

    /** One request's exchange with its backend; every callback runs on the client's event loop. */
    private final class Exchange implements UpstreamListener {
        private final ProxyCall call;
        private final ResponseSink sink;
        private final Caller caller;
        private final RequestBody body;
        private final boolean stream;
        private final Route route;
        private UpstreamExchange upstreamExchange;
        private boolean finished;
        private boolean headSent;
        private int status;
        private boolean relayAsSse;
        private SseUsageFilter sseFilter;
        private ResponseTail tail;
        private long firstByteNanos = -1;

        Exchange(ProxyCall call, ResponseSink sink, Caller caller, RequestBody body, boolean stream, Route route) {
            this.call = call;
            this.sink = sink;
            this.caller = caller;
            this.body = body;
            this.stream = stream;
            this.route = route;
        }

        void start() {
            Backend backend = route.backend();
            Map<String, String> headers = new HashMap<>(backend.headers().size() + 4);
            backend.headers().forEach((name, value) -> headers.put(name.toLowerCase(java.util.Locale.ROOT), value));
            headers.put("content-type", JSON);
            headers.put("accept", stream ? EVENT_STREAM : JSON);
            headers.remove("authorization");
            backend.apiKey().ifPresent(key -> headers.put("authorization", "Bearer " + key.reveal()));
            byte[] upstreamBody = body.forUpstream(route.upstreamModel(), stream);
            UpstreamRequest request = new UpstreamRequest("POST", backend.baseUrl() + call.endpoint().path(),
                    headers, upstreamBody, Duration.ofMillis(backend.timeoutMs()));
            sink.onClientGone(this::clientGone);
            sink.onWritabilityChanged(writable -> {
                if (upstreamExchange != null && !finished) {
                    if (writable) {
                        upstreamExchange.resume();
                    } else {
                        upstreamExchange.pause();
                    }
                }
            });
            UpstreamExchange started = upstream.send(request, this);
            if (finished) {
                return;
            }
            upstreamExchange = started;
        }

        @Override
        public void onHead(int upstreamStatus, Map<String, String> upstreamHeaders) {
            if (finished) {
                return;
            }
            status = upstreamStatus;
            boolean success = upstreamStatus >= 200 && upstreamStatus < 300;
            Map<String, String> headers = new HashMap<>(upstreamHeaders);
            headers.remove("content-length");
            headers.remove("content-type");
            headers.put("x-request-id", call.requestId());
            String contentType = upstreamHeaders.getOrDefault("content-type", JSON);
            // a backend that ignores "stream" and answers JSON is relayed as it answered
            relayAsSse = success && stream && contentType.regionMatches(true, 0, EVENT_STREAM, 0, EVENT_STREAM.length());
            headSent = true;
            if (relayAsSse) {
                sseFilter = new SseUsageFilter(body.clientWantsStreamUsage());
                headers.put("cache-control", "no-cache");
                sink.head(upstreamStatus, EVENT_STREAM, -1, headers);
            } else {
                tail = success ? new ResponseTail(settings.responseTailBytes()) : null;
                sink.head(upstreamStatus, contentType, contentLength(upstreamHeaders), headers);
            }
        }

        @Override
        public void onChunk(byte[] data) {
            if (finished) {
                return;
            }
            if (firstByteNanos < 0) {
                firstByteNanos = System.nanoTime();
            }
            if (relayAsSse) {
                byte[] out = sseFilter.feed(data);
                if (out.length > 0) {
                    sink.chunk(out);
                }
            } else {
                if (tail != null) {
                    tail.append(data);
                }
                sink.chunk(data);
            }
        }

        @Override
        public void onEnd() {
            if (finished) {
                return;
            }
            finished = true;
            Optional<Usage> usage = Optional.empty();
            if (relayAsSse) {
                byte[] rest = sseFilter.finish();
                if (rest.length > 0) {
                    sink.chunk(rest);
                }
                usage = sseFilter.usage();
            } else if (tail != null) {
                usage = tail.usage();
            }
            sink.end();
            record(status, status >= 400 ? Optional.of("backend_status_" + status) : Optional.empty(), usage, false);
        }

        @Override
        public void onFailure(UpstreamFailure failure) {
            if (finished) {
                return;
            }
            finished = true;
            String backendName = route.backend().name();
            if (!headSent) {
                OpenAiError error = switch (failure.kind()) {
                    case CONNECT -> OpenAiError.backendUnreachable(backendName);
                    case TIMEOUT -> OpenAiError.backendTimeout(backendName);
                    case RESET, PROTOCOL -> OpenAiError.backendFailed(backendName);
                    case POOL_EXHAUSTED -> OpenAiError.overloaded(
                            "Too many requests in flight to backend '" + backendName + "'; try again shortly.");
                };
                respondError(sink, call, error);
                record(error.status(), Optional.of(error.code()), Optional.empty(), false);
                return;
            }
            OpenAiError error = failure.kind() == UpstreamFailure.Kind.TIMEOUT
                    ? OpenAiError.backendTimeout(backendName)
                    : OpenAiError.backendFailed(backendName);
            Optional<Usage> usage = Optional.empty();
            if (relayAsSse) {
                usage = sseFilter.usage();
                sink.chunk(error.toSseEvent());
                sink.end();
            } else {
                sink.abort();
            }
            record(status, Optional.of("stream_interrupted_" + failure.kind().name().toLowerCase(java.util.Locale.ROOT)),
                    usage, false);
        }

        private void clientGone() {
            if (finished) {
                return;
            }
            finished = true;
            if (upstreamExchange != null) {
                upstreamExchange.cancel();
            }
            Optional<Usage> usage = relayAsSse ? sseFilter.usage() : Optional.empty();
            record(CLIENT_CLOSED_REQUEST, Optional.of("client_closed"), usage, true);
        }

        private void record(int finalStatus, Optional<String> errorType, Optional<Usage> usage, boolean clientAborted) {
            long now = System.nanoTime();
            Backend backend = route.backend();
            requestLog.append(new RequestRecord(call.requestId(), call.receivedAt(), call.endpoint(),
                    caller.appId(), Optional.of(caller.appName()), Optional.of(body.model()),
                    Optional.of(backend.id()), Optional.of(backend.name()), finalStatus, errorType,
                    micros(now - call.receivedNanos()),
                    firstByteNanos < 0 ? OptionalLong.empty() : OptionalLong.of(micros(firstByteNanos - call.receivedNanos())),
                    usage, stream, clientAborted));
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
