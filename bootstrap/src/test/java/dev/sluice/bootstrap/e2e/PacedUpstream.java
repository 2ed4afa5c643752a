package dev.sluice.bootstrap.e2e;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * An OpenAI-compatible chat backend for the limits tests: it records when each request arrived
 * (monotonic clock) and how many requests of an upstream model it was working on at once, and per
 * upstream model it can answer after a delay or hold every answer until the test releases it
 * ({@link #hold(String)}, {@link #release(String, int)}). Answers are JSON, or SSE for
 * {@code "stream":true} (with the usage chunk when asked for), always reporting a small usage
 * ({@link #PROMPT_TOKENS} + {@link #COMPLETION_TOKENS}).
 */
final class PacedUpstream implements AutoCloseable {
    static final int PROMPT_TOKENS = 9;
    static final int COMPLETION_TOKENS = 3;
    static final int TOTAL_TOKENS = PROMPT_TOKENS + COMPLETION_TOKENS;
    static final String CONTENT = "Paced answer";
    /** The longest a held answer waits for {@link #release}: a forgotten release must not hang the test run. */
    private static final Duration HOLD_LIMIT = Duration.ofSeconds(20);

    private static final Pattern MODEL = Pattern.compile("\"model\"\\s*:\\s*\"([^\"]*)\"");
    private static final Pattern STREAM = Pattern.compile("\"stream\"\\s*:\\s*true");
    private static final Pattern INCLUDE_USAGE = Pattern.compile("\"include_usage\"\\s*:\\s*true");
    private static final Pattern MAX_TOKENS = Pattern.compile("\"max_tokens\"\\s*:\\s*(\\d+)");
    private static final Pattern MAX_COMPLETION_TOKENS = Pattern.compile("\"max_completion_tokens\"\\s*:\\s*(\\d+)");

    /** One request as it arrived: {@code arrivedNanos} is {@link System#nanoTime()} when its body was read. */
    record Arrival(String model, String body, long arrivedNanos) {
        boolean contains(String text) {
            return body.contains(text);
        }

        OptionalLong maxTokens() {
            return number(MAX_TOKENS);
        }

        OptionalLong maxCompletionTokens() {
            return number(MAX_COMPLETION_TOKENS);
        }

        boolean stream() {
            return STREAM.matcher(body).find();
        }

        private OptionalLong number(Pattern pattern) {
            Matcher m = pattern.matcher(body);
            return m.find() ? OptionalLong.of(Long.parseLong(m.group(1))) : OptionalLong.empty();
        }
    }

    private final HttpServer server;
    private final ExecutorService executor;
    private final List<Arrival> arrivals = new CopyOnWriteArrayList<>();
    private final Map<String, Duration> delays = new ConcurrentHashMap<>();
    private final Map<String, Semaphore> holds = new ConcurrentHashMap<>();
    private final Map<String, AtomicInteger> inFlight = new ConcurrentHashMap<>();
    private final Map<String, AtomicInteger> maxInFlight = new ConcurrentHashMap<>();
    private final Map<String, AtomicInteger> answered = new ConcurrentHashMap<>();

    private PacedUpstream(HttpServer server, ExecutorService executor) {
        this.server = server;
        this.executor = executor;
    }

    static PacedUpstream start() {
        try {
            HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 200);
            ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor();
            PacedUpstream stub = new PacedUpstream(server, executor);
            server.setExecutor(executor);
            server.createContext("/", stub::handle);
            server.start();
            return stub;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    String baseUrl() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/v1";
    }

    /** Answers for {@code upstreamModel} come {@code delay} after the request arrived. */
    void delay(String upstreamModel, Duration delay) {
        delays.put(upstreamModel, delay);
    }

    /** Answers for {@code upstreamModel} wait until {@link #release} lets them go, one per permit. */
    void hold(String upstreamModel) {
        holds.put(upstreamModel, new Semaphore(0));
    }

    /** Lets {@code answers} held answers for {@code upstreamModel} go (earlier arrivals first, as far as the JDK's fair wake-up goes). */
    void release(String upstreamModel, int answers) {
        Semaphore gate = holds.get(upstreamModel);
        if (gate == null) {
            throw new IllegalStateException(upstreamModel + " is not held");
        }
        gate.release(answers);
    }

    /** Held answers go at once from now on. */
    void releaseAll(String upstreamModel) {
        Semaphore gate = holds.remove(upstreamModel);
        if (gate != null) {
            gate.release(10_000);
        }
    }

    List<Arrival> arrivals(String upstreamModel) {
        return arrivals.stream().filter(a -> upstreamModel.equals(a.model())).toList();
    }

    /** Waits (at most {@code timeout}) until {@code count} requests for the model have arrived; returns them. */
    List<Arrival> awaitArrivals(String upstreamModel, int count, Duration timeout) {
        Poll.until(count + " request(s) for " + upstreamModel + " at the stub (seen " + arrivals(upstreamModel).size() + " when asked)",
                timeout, () -> arrivals(upstreamModel).size() >= count);
        return arrivals(upstreamModel);
    }

    /** The most requests for the model the stub was working on at the same time (arrived, answer not yet written). */
    int maxInFlight(String upstreamModel) {
        AtomicInteger max = maxInFlight.get(upstreamModel);
        return max == null ? 0 : max.get();
    }

    int answered(String upstreamModel) {
        AtomicInteger n = answered.get(upstreamModel);
        return n == null ? 0 : n.get();
    }

    @Override
    public void close() {
        holds.values().forEach(gate -> gate.release(10_000));
        server.stop(0);
        executor.shutdownNow();
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            long now = System.nanoTime();
            Matcher m = MODEL.matcher(body);
            String model = m.find() ? m.group(1) : "";
            if (!"/v1/chat/completions".equals(exchange.getRequestURI().getPath())) {
                send(exchange, 404, "application/json",
                        "{\"error\":{\"message\":\"only chat completions here\",\"type\":\"invalid_request_error\",\"code\":null,\"param\":null}}");
                return;
            }
            arrivals.add(new Arrival(model, body, now));
            int working = inFlight.computeIfAbsent(model, k -> new AtomicInteger()).incrementAndGet();
            maxInFlight.computeIfAbsent(model, k -> new AtomicInteger()).accumulateAndGet(working, Math::max);
            boolean counted = true;
            try {
                Duration delay = delays.get(model);
                if (delay != null) {
                    Thread.sleep(delay);
                }
                Semaphore gate = holds.get(model);
                if (gate != null && !gate.tryAcquire(HOLD_LIMIT.toMillis(), TimeUnit.MILLISECONDS)) {
                    throw new IllegalStateException("held answer for " + model + " was never released");
                }
                // no longer "working" before the first byte of the answer: once the gateway has the whole
                // answer it may send the next request, which must not count as concurrent with this one
                inFlight.get(model).decrementAndGet();
                counted = false;
                if (STREAM.matcher(body).find()) {
                    stream(exchange, model, INCLUDE_USAGE.matcher(body).find());
                } else {
                    send(exchange, 200, "application/json", completion(model));
                }
                answered.computeIfAbsent(model, k -> new AtomicInteger()).incrementAndGet();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } finally {
                if (counted) {
                    inFlight.get(model).decrementAndGet();
                }
            }
        }
    }

    private static String usage() {
        return "{\"prompt_tokens\":%d,\"completion_tokens\":%d,\"total_tokens\":%d}"
                .formatted(PROMPT_TOKENS, COMPLETION_TOKENS, TOTAL_TOKENS);
    }

    private static String completion(String model) {
        return """
                {"id":"chatcmpl-paced","object":"chat.completion","created":1700000000,"model":"%s","choices":[{"index":0,\
                "message":{"role":"assistant","content":"%s","refusal":null},"logprobs":null,"finish_reason":"stop"}],\
                "usage":%s}""".formatted(model, CONTENT, usage());
    }

    private static void stream(HttpExchange exchange, String model, boolean includeUsage) throws IOException {
        exchange.getResponseHeaders().set("Content-Type", "text/event-stream");
        exchange.getResponseHeaders().set("Cache-Control", "no-cache");
        exchange.sendResponseHeaders(200, 0);
        OutputStream out = exchange.getResponseBody();
        String chunk = "{\"id\":\"chatcmpl-paced\",\"object\":\"chat.completion.chunk\",\"created\":1700000000,\"model\":\"%s\","
                + "\"choices\":[{\"index\":0,\"delta\":%s,\"logprobs\":null,\"finish_reason\":%s}]}";
        for (String word : CONTENT.split("(?= )")) {
            event(out, chunk.formatted(model, "{\"role\":\"assistant\",\"content\":\"" + word + "\"}", "null"));
        }
        event(out, chunk.formatted(model, "{}", "\"stop\""));
        if (includeUsage) {
            event(out, "{\"id\":\"chatcmpl-paced\",\"object\":\"chat.completion.chunk\",\"created\":1700000000,\"model\":\""
                    + model + "\",\"choices\":[],\"usage\":" + usage() + "}");
        }
        event(out, "[DONE]");
    }

    private static void event(OutputStream out, String data) throws IOException {
        out.write(("data: " + data + "\n\n").getBytes(StandardCharsets.UTF_8));
        out.flush();
    }

    private static void send(HttpExchange exchange, int status, String contentType, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", contentType);
        exchange.sendResponseHeaders(status, bytes.length);
        exchange.getResponseBody().write(bytes);
    }
}
