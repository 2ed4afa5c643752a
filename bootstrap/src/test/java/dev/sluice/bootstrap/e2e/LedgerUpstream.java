package dev.sluice.bootstrap.e2e;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A chat-completions backend for the usage-ledger tests that reports a known usage per request and
 * keeps exact books of what it reported. The request's user message is {@code n=<number>}; the usage
 * is {@link #promptTokens(int)} and {@link #completionTokens(int)} of that number. Upstream models:
 * <ul>
 *     <li>{@code ok}: answers (JSON, or SSE with the usage chunk when {@code include_usage} is asked);</li>
 *     <li>{@code fail-even}: 503 without usage for even numbers, like {@code ok} for odd ones;</li>
 *     <li>{@code slow-stream}: one chunk, then a chunk every 100 ms (never a usage) until the write fails.</li>
 * </ul>
 * The books count a usage only once it was written out completely.
 */
final class LedgerUpstream implements AutoCloseable {
    private static final Pattern MODEL = Pattern.compile("\"model\"\\s*:\\s*\"([^\"]*)\"");
    private static final Pattern NUMBER = Pattern.compile("n=(\\d+)");
    private static final Pattern STREAM = Pattern.compile("\"stream\"\\s*:\\s*true");
    private static final Pattern INCLUDE_USAGE = Pattern.compile("\"include_usage\"\\s*:\\s*true");

    /** A usage the stub reported. */
    record Reported(int prompt, int completion) {
        int total() {
            return prompt + completion;
        }
    }

    private final HttpServer server;
    private final ExecutorService executor;
    private final AtomicLong prompt = new AtomicLong();
    private final AtomicLong completion = new AtomicLong();
    private final AtomicLong total = new AtomicLong();
    /** Reported usage by request number; a number reported twice is a test failure. */
    private final Map<Integer, Reported> reported = new ConcurrentHashMap<>();
    private final AtomicLong reportedTwice = new AtomicLong();

    private LedgerUpstream(HttpServer server, ExecutorService executor) {
        this.server = server;
        this.executor = executor;
    }

    static LedgerUpstream start() {
        try {
            HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 1024);
            ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor();
            LedgerUpstream stub = new LedgerUpstream(server, executor);
            server.setExecutor(executor);
            server.createContext("/", stub::handle);
            server.start();
            return stub;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static int promptTokens(int n) {
        return 3 + n % 97;
    }

    static int completionTokens(int n) {
        return 1 + n % 13;
    }

    String baseUrl() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/v1";
    }

    long promptTotal() {
        return prompt.get();
    }

    long completionTotal() {
        return completion.get();
    }

    long totalTotal() {
        return total.get();
    }

    Map<Integer, Reported> reported() {
        return reported;
    }

    long reportedTwice() {
        return reportedTwice.get();
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            if (!exchange.getRequestURI().getPath().equals("/v1/chat/completions")) {
                json(exchange, 404, "{\"error\":{\"message\":\"no\",\"type\":\"invalid_request_error\"}}");
                return;
            }
            Matcher m = MODEL.matcher(body);
            String model = m.find() ? m.group(1) : "";
            Matcher nm = NUMBER.matcher(body);
            int n = nm.find() ? Integer.parseInt(nm.group(1)) : 0;
            boolean stream = STREAM.matcher(body).find();
            switch (model) {
                case "fail-even" -> {
                    if (n % 2 == 0) {
                        json(exchange, 503, "{\"error\":{\"message\":\"busy\",\"type\":\"server_error\",\"code\":null,\"param\":null}}");
                    } else {
                        answer(exchange, model, n, stream, INCLUDE_USAGE.matcher(body).find());
                    }
                }
                case "slow-stream" -> slowStream(exchange, model);
                default -> answer(exchange, model, n, stream, INCLUDE_USAGE.matcher(body).find());
            }
        }
    }

    private void answer(HttpExchange exchange, String model, int n, boolean stream, boolean includeUsage) throws IOException {
        int p = promptTokens(n);
        int c = completionTokens(n);
        String usage = "{\"prompt_tokens\":%d,\"completion_tokens\":%d,\"total_tokens\":%d}".formatted(p, c, p + c);
        if (!stream) {
            json(exchange, 200, """
                    {"id":"chatcmpl-l","object":"chat.completion","created":1700000000,"model":"%s","choices":[{"index":0,\
                    "message":{"role":"assistant","content":"abc"},"finish_reason":"stop"}],"usage":%s}""".formatted(model, usage));
            book(n, p, c);
            return;
        }
        OutputStream out = startEventStream(exchange);
        for (String delta : new String[]{"a", "b", "c"}) {
            event(out, chunk(model, "{\"content\":\"" + delta + "\"}", "null"));
        }
        event(out, chunk(model, "{}", "\"stop\""));
        if (includeUsage) {
            event(out, "{\"id\":\"chatcmpl-l\",\"object\":\"chat.completion.chunk\",\"created\":1700000000,\"model\":\"%s\",\"choices\":[],\"usage\":%s}"
                    .formatted(model, usage));
        }
        event(out, "[DONE]");
        out.close();
        if (includeUsage) {
            book(n, p, c);
        }
    }

    private void book(int n, int p, int c) {
        if (reported.putIfAbsent(n, new Reported(p, c)) != null) {
            reportedTwice.incrementAndGet();
        }
        prompt.addAndGet(p);
        completion.addAndGet(c);
        total.addAndGet(p + c);
    }

    private static void slowStream(HttpExchange exchange, String model) throws IOException {
        OutputStream out = startEventStream(exchange);
        for (int i = 0; i < 100; i++) {
            event(out, chunk(model, "{\"content\":\"tick \"}", "null"));
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
        event(out, chunk(model, "{}", "\"stop\""));
        event(out, "[DONE]");
    }

    private static String chunk(String model, String delta, String finish) {
        return "{\"id\":\"chatcmpl-l\",\"object\":\"chat.completion.chunk\",\"created\":1700000000,\"model\":\"%s\",\"choices\":[{\"index\":0,\"delta\":%s,\"finish_reason\":%s}]}"
                .formatted(model, delta, finish);
    }

    private static OutputStream startEventStream(HttpExchange exchange) throws IOException {
        exchange.getResponseHeaders().set("Content-Type", "text/event-stream");
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
}
