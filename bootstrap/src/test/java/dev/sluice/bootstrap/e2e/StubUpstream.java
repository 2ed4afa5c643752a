package dev.sluice.bootstrap.e2e;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * An OpenAI-compatible backend under {@code /v1} for end-to-end tests. What it does is chosen by
 * the model name the gateway sends it (see {@link Behaviour}); any other name answers normally.
 * Every request is recorded with its path, lower-case headers, raw body, remote port and its
 * arrival number, which is shared by every stub of the JVM so the order across stubs is known.
 */
final class StubUpstream implements AutoCloseable {
    static final String CONTENT = "Hello world!";
    static final List<String> DELTAS = List.of("Hello", " world", "!");
    static final int PROMPT_TOKENS = 11;
    static final int COMPLETION_TOKENS = 7;
    static final int TOTAL_TOKENS = 18;
    static final int EMBEDDING_PROMPT_TOKENS = 5;
    static final String RATE_LIMIT_MESSAGE = "Rate limit reached for stub-model: slow down.";
    static final String RETRY_AFTER_SECONDS = "7";
    static final String SERVER_ERROR_BODY = "{\"error\":{\"message\":\"The stub backend is overloaded.\",\"type\":\"server_error\",\"code\":null,\"param\":null}}";
    static final String INTERNAL_ERROR_BODY = "{\"error\":{\"message\":\"The stub backend hiccuped.\",\"type\":\"server_error\",\"code\":null,\"param\":null}}";
    static final String UNAUTHORIZED_BODY = "{\"error\":{\"message\":\"Incorrect API key provided to the stub.\",\"type\":\"invalid_request_error\",\"code\":\"invalid_api_key\",\"param\":null}}";
    /** How long the "slow" behaviour waits before answering: far above any test backend's timeout. */
    static final Duration SLOW_DELAY = Duration.ofSeconds(5);
    private static final Duration ENDLESS_STREAM_LIMIT = Duration.ofSeconds(30);
    private static final long CREATED = 1_700_000_000L;
    /** Arrival numbers, shared by every stub in the JVM (see {@link Recorded#arrival()}). */
    private static final AtomicLong ARRIVALS = new AtomicLong();

    private static final Pattern MODEL = Pattern.compile("\"model\"\\s*:\\s*\"([^\"]*)\"");
    private static final Pattern STREAM = Pattern.compile("\"stream\"\\s*:\\s*true");
    private static final Pattern INCLUDE_USAGE = Pattern.compile("\"include_usage\"\\s*:\\s*true");
    private static final Pattern BASE64 = Pattern.compile("\"encoding_format\"\\s*:\\s*\"base64\"");

    /** Upstream model names that switch the stub into a special behaviour. */
    enum Behaviour {
        /** JSON or SSE answers with usage; the usage chunk only when the request asked for it. */
        NORMAL(""),
        /** Answers after {@link StubUpstream#SLOW_DELAY}. */
        SLOW("slow"),
        /** 429 with an OpenAI error body and {@code Retry-After: 7}. */
        RATE_LIMITED("rate-limited"),
        /** 503 with {@link StubUpstream#SERVER_ERROR_BODY}. */
        SERVER_ERROR("server-error"),
        /** 500 with {@link StubUpstream#INTERNAL_ERROR_BODY} to the first request for the model at this stub, then normal answers. */
        SERVER_ERROR_ONCE("server-error-once"),
        /** 401 with {@link StubUpstream#UNAUTHORIZED_BODY}: the backend refuses the gateway's key. */
        UNAUTHORIZED("unauthorized"),
        /** Normal answers to stream requests only; 400 to a request that does not ask for a stream. */
        STREAM_ONLY("stream-only"),
        /** Normal answers to non-stream requests only; 400 to a request that asks for a stream. */
        NON_STREAM_ONLY("non-stream-only"),
        /** Three chunks, then the connection closes without the end of the body. */
        DROP_STREAM("drop-stream"),
        /**
         * Like {@link #DROP_STREAM}, but every chunk carries the usage so far (as vLLM's
         * {@code continuous_usage_stats} does): {@link StubUpstream#PROMPT_TOKENS} and one completion token per chunk.
         */
        DROP_STREAM_WITH_USAGE("drop-stream-with-usage"),
        /** One chunk, then silence for {@link StubUpstream#SLOW_DELAY}. */
        STALL_STREAM("stall-stream"),
        /** A chunk every 50 ms until a write fails; see {@link StubUpstream#resetEndlessStreamWatch()}. */
        ENDLESS_STREAM("endless-stream");

        final String model;

        Behaviour(String model) {
            this.model = model;
        }

        static Behaviour of(String model) {
            for (Behaviour b : values()) {
                if (b != NORMAL && b.model.equals(model)) {
                    return b;
                }
            }
            return NORMAL;
        }
    }

    /** One request as the stub received it; {@code arrival} orders requests across every stub of the JVM. */
    record Recorded(String method, String path, Map<String, String> headers, String body, int remotePort, long arrival) {
        String header(String name) {
            return headers.get(name.toLowerCase(Locale.ROOT));
        }

        String model() {
            Matcher m = MODEL.matcher(body);
            return m.find() ? m.group(1) : null;
        }

        boolean includeUsage() {
            return INCLUDE_USAGE.matcher(body).find();
        }
    }

    private final String label;
    private final HttpServer server;
    private final ExecutorService executor;
    private final List<Recorded> requests = new CopyOnWriteArrayList<>();
    /** Requests seen per upstream model, for behaviours that change with the count. */
    private final Map<String, AtomicInteger> seenPerModel = new ConcurrentHashMap<>();
    private volatile CompletableFuture<Long> endlessStreamAbandoned = new CompletableFuture<>();
    private volatile boolean modelListFailing;

    private StubUpstream(String label, HttpServer server, ExecutorService executor) {
        this.label = label;
        this.server = server;
        this.executor = executor;
    }

    static StubUpstream start() {
        return start("stub");
    }

    /** A stub with a label, to tell several stubs apart in test output. */
    static StubUpstream start(String label) {
        try {
            HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
            ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor();
            StubUpstream stub = new StubUpstream(label, server, executor);
            server.setExecutor(executor);
            server.createContext("/", stub::handle);
            server.start();
            return stub;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    int port() {
        return server.getAddress().getPort();
    }

    String label() {
        return label;
    }

    /** The next arrival number; other fake backends of the tests use it too. */
    static long nextArrival() {
        return ARRIVALS.incrementAndGet();
    }

    /** While true, {@code GET /v1/models} (what an active health check asks) answers 503. */
    void failModelList(boolean failing) {
        modelListFailing = failing;
    }

    /** The base URL a backend is configured with (the gateway appends {@code /chat/completions} etc.). */
    String baseUrl() {
        return "http://127.0.0.1:" + port() + "/v1";
    }

    /** The requests that asked for the given upstream model, in arrival order. */
    List<Recorded> requestsFor(String upstreamModel) {
        return requests.stream().filter(r -> upstreamModel.equals(r.model())).toList();
    }

    List<Recorded> requestsMatching(Predicate<Recorded> filter) {
        return requests.stream().filter(filter).toList();
    }

    /**
     * Completes with {@link System#nanoTime()} at the moment an "endless-stream" answer failed to
     * write, i.e. when the stub noticed that the gateway went away. Reset before each use.
     */
    CompletableFuture<Long> resetEndlessStreamWatch() {
        endlessStreamAbandoned = new CompletableFuture<>();
        return endlessStreamAbandoned;
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }

    private void handle(HttpExchange exchange) throws IOException {
        byte[] raw = exchange.getRequestBody().readAllBytes();
        String body = new String(raw, StandardCharsets.UTF_8);
        Map<String, String> headers = new HashMap<>();
        exchange.getRequestHeaders().forEach((name, values) ->
                headers.put(name.toLowerCase(Locale.ROOT), String.join(", ", values)));
        Recorded request = new Recorded(exchange.getRequestMethod(), exchange.getRequestURI().getPath(),
                Map.copyOf(headers), body, exchange.getRemoteAddress().getPort(), nextArrival());
        requests.add(request);

        String path = request.path();
        String model = request.model() == null ? "" : request.model();
        boolean stream = STREAM.matcher(body).find();
        // closed only after a complete answer: "drop-stream" leaves by an exception, and the JDK server
        // then closes the connection without finishing the chunked body
        switch (path) {
            case "/v1/models" -> {
                if (modelListFailing) {
                    json(exchange, 503, SERVER_ERROR_BODY);
                } else {
                    json(exchange, 200, """
                            {"object":"list","data":[{"id":"stub-model","object":"model","created":%d,"owned_by":"stub"}]}"""
                            .formatted(CREATED));
                }
            }
            case "/v1/chat/completions" -> answer(exchange, request, model, stream, true);
            case "/v1/completions" -> answer(exchange, request, model, stream, false);
            case "/v1/embeddings" -> embeddings(exchange, model, BASE64.matcher(body).find());
            default -> json(exchange, 404, """
                    {"error":{"message":"Unknown path %s","type":"invalid_request_error","code":"unknown_url","param":null}}"""
                    .formatted(path));
        }
        exchange.close();
    }

    private void answer(HttpExchange exchange, Recorded request, String model, boolean stream, boolean chat) throws IOException {
        int seen = seenPerModel.computeIfAbsent(model, m -> new AtomicInteger()).incrementAndGet();
        switch (Behaviour.of(model)) {
            case SLOW -> {
                sleep(SLOW_DELAY);
                json(exchange, 200, completion(model, chat));
            }
            case RATE_LIMITED -> {
                exchange.getResponseHeaders().set("Retry-After", RETRY_AFTER_SECONDS);
                json(exchange, 429, """
                        {"error":{"message":"%s","type":"rate_limit_error","code":"rate_limit_exceeded","param":null}}"""
                        .formatted(RATE_LIMIT_MESSAGE));
            }
            case SERVER_ERROR -> json(exchange, 503, SERVER_ERROR_BODY);
            case SERVER_ERROR_ONCE -> {
                if (seen == 1) {
                    json(exchange, 500, INTERNAL_ERROR_BODY);
                } else {
                    normal(exchange, request, model, stream, chat);
                }
            }
            case UNAUTHORIZED -> json(exchange, 401, UNAUTHORIZED_BODY);
            case STREAM_ONLY, NON_STREAM_ONLY -> {
                if (stream == (Behaviour.of(model) == Behaviour.STREAM_ONLY)) {
                    normal(exchange, request, model, stream, chat);
                } else {
                    json(exchange, 400, """
                            {"error":{"message":"This stub backend does not take %s requests.","type":"invalid_request_error",\
                            "code":"unsupported","param":"stream"}}""".formatted(stream ? "stream" : "non-stream"));
                }
            }
            case DROP_STREAM -> dropStream(exchange, model, chat);
            case DROP_STREAM_WITH_USAGE -> dropStreamWithUsage(exchange, model, chat);
            case STALL_STREAM -> stallStream(exchange, model, chat);
            case ENDLESS_STREAM -> endlessStream(exchange, model, chat);
            case NORMAL -> normal(exchange, request, model, stream, chat);
        }
    }

    private static void normal(HttpExchange exchange, Recorded request, String model, boolean stream, boolean chat) throws IOException {
        if (stream) {
            stream(exchange, model, chat, request.includeUsage());
        } else {
            json(exchange, 200, completion(model, chat));
        }
    }

    private static String completion(String model, boolean chat) {
        String usage = usage();
        if (chat) {
            return """
                    {"id":"chatcmpl-stub","object":"chat.completion","created":%d,"model":"%s","choices":[{"index":0,\
                    "message":{"role":"assistant","content":"%s","refusal":null},"logprobs":null,"finish_reason":"stop"}],\
                    "usage":%s}""".formatted(CREATED, model, CONTENT, usage);
        }
        return """
                {"id":"cmpl-stub","object":"text_completion","created":%d,"model":"%s","choices":[{"index":0,\
                "text":"%s","logprobs":null,"finish_reason":"stop"}],"usage":%s}""".formatted(CREATED, model, CONTENT, usage);
    }

    private static String usage() {
        return "{\"prompt_tokens\":%d,\"completion_tokens\":%d,\"total_tokens\":%d}"
                .formatted(PROMPT_TOKENS, COMPLETION_TOKENS, TOTAL_TOKENS);
    }

    private static String chunk(String model, boolean chat, String content, String finishReason) {
        String finish = finishReason == null ? "null" : "\"" + finishReason + "\"";
        if (chat) {
            String delta = content == null ? "{}" : "{\"role\":\"assistant\",\"content\":\"" + content + "\"}";
            return "{\"id\":\"chatcmpl-stub\",\"object\":\"chat.completion.chunk\",\"created\":%d,\"model\":\"%s\",\"choices\":[{\"index\":0,\"delta\":%s,\"logprobs\":null,\"finish_reason\":%s}]}"
                    .formatted(CREATED, model, delta, finish);
        }
        return "{\"id\":\"cmpl-stub\",\"object\":\"text_completion\",\"created\":%d,\"model\":\"%s\",\"choices\":[{\"index\":0,\"text\":\"%s\",\"logprobs\":null,\"finish_reason\":%s}]}"
                .formatted(CREATED, model, content == null ? "" : content, finish);
    }

    private static String usageChunk(String model, boolean chat) {
        return "{\"id\":\"%s\",\"object\":\"%s\",\"created\":%d,\"model\":\"%s\",\"choices\":[],\"usage\":%s}"
                .formatted(chat ? "chatcmpl-stub" : "cmpl-stub", chat ? "chat.completion.chunk" : "text_completion",
                        CREATED, model, usage());
    }

    private static void stream(HttpExchange exchange, String model, boolean chat, boolean includeUsage) throws IOException {
        OutputStream out = startEventStream(exchange);
        for (String delta : DELTAS) {
            event(out, chunk(model, chat, delta, null));
        }
        event(out, chunk(model, chat, null, "stop"));
        if (includeUsage) {
            event(out, usageChunk(model, chat));
        }
        event(out, "[DONE]");
    }

    /** Three chunks, then the connection is closed without the end of the chunked body. */
    private static void dropStream(HttpExchange exchange, String model, boolean chat) throws IOException {
        OutputStream out = startEventStream(exchange);
        for (String delta : DELTAS) {
            event(out, chunk(model, chat, delta, null));
        }
        // the JDK server closes the connection (without the last chunk) when a handler throws
        throw new IllegalStateException("stub: dropping the stream on purpose");
    }

    /** Three chunks, each with the usage so far, then the connection is closed without the end of the chunked body. */
    private static void dropStreamWithUsage(HttpExchange exchange, String model, boolean chat) throws IOException {
        OutputStream out = startEventStream(exchange);
        int completionTokens = 0;
        for (String delta : DELTAS) {
            completionTokens++;
            String chunk = chunk(model, chat, delta, null);
            String usage = ",\"usage\":{\"prompt_tokens\":%d,\"completion_tokens\":%d,\"total_tokens\":%d}}"
                    .formatted(PROMPT_TOKENS, completionTokens, PROMPT_TOKENS + completionTokens);
            event(out, chunk.substring(0, chunk.length() - 1) + usage);
        }
        throw new IllegalStateException("stub: dropping the stream on purpose");
    }

    /** The first delta, then silence for {@link StubUpstream#SLOW_DELAY}, then the rest. */
    private static void stallStream(HttpExchange exchange, String model, boolean chat) throws IOException {
        OutputStream out = startEventStream(exchange);
        event(out, chunk(model, chat, DELTAS.getFirst(), null));
        sleep(SLOW_DELAY);
        for (String delta : DELTAS.subList(1, DELTAS.size())) {
            event(out, chunk(model, chat, delta, null));
        }
        event(out, chunk(model, chat, null, "stop"));
        event(out, "[DONE]");
    }

    private void endlessStream(HttpExchange exchange, String model, boolean chat) throws IOException {
        CompletableFuture<Long> watch = endlessStreamAbandoned;
        long deadline = System.nanoTime() + ENDLESS_STREAM_LIMIT.toNanos();
        try {
            OutputStream out = startEventStream(exchange);
            while (System.nanoTime() < deadline) {
                event(out, chunk(model, chat, "tick", null));
                sleep(Duration.ofMillis(50));
            }
        } catch (IOException e) {
            watch.complete(System.nanoTime());
            throw e;
        }
        watch.completeExceptionally(new IllegalStateException("the endless stream was never abandoned"));
    }

    private void embeddings(HttpExchange exchange, String model, boolean base64) throws IOException {
        float[] vector = {0.25f, -0.5f, 0.75f};
        String embedding;
        if (base64) {
            ByteBuffer buffer = ByteBuffer.allocate(vector.length * 4).order(ByteOrder.LITTLE_ENDIAN);
            for (float v : vector) {
                buffer.putFloat(v);
            }
            embedding = "\"" + Base64.getEncoder().encodeToString(buffer.array()) + "\"";
        } else {
            List<String> values = new ArrayList<>();
            for (float v : vector) {
                values.add(Float.toString(v));
            }
            embedding = "[" + String.join(",", values) + "]";
        }
        json(exchange, 200, """
                {"object":"list","data":[{"object":"embedding","index":0,"embedding":%s}],"model":"%s",\
                "usage":{"prompt_tokens":%d,"total_tokens":%d}}"""
                .formatted(embedding, model, EMBEDDING_PROMPT_TOKENS, EMBEDDING_PROMPT_TOKENS));
    }

    private static OutputStream startEventStream(HttpExchange exchange) throws IOException {
        exchange.getResponseHeaders().set("Content-Type", "text/event-stream");
        exchange.getResponseHeaders().set("Cache-Control", "no-cache");
        exchange.sendResponseHeaders(200, 0);
        return exchange.getResponseBody();
    }

    private static void event(OutputStream out, String data) throws IOException {
        out.write(("data: " + data + "\n\n").getBytes(StandardCharsets.UTF_8));
        out.flush();
    }

    private static void json(HttpExchange exchange, int status, String json) throws IOException {
        byte[] bytes = json.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        exchange.sendResponseHeaders(status, bytes.length);
        exchange.getResponseBody().write(bytes);
    }

    private static void sleep(Duration duration) {
        try {
            Thread.sleep(duration);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }
}
