package dev.sluice.bootstrap.e2e;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.OptionalLong;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A chat backend that ignores {@code max_tokens}: every request gets a stream of {@link #WORDS}
 * one-token words ({@value #WORD}), one chunk every {@link #INTERVAL_MS} ms. Per request it records
 * the {@code max_tokens} it was sent, how many chunks it wrote and when a write failed (the gateway
 * hung up).
 */
final class RunawayStreamUpstream implements AutoCloseable {
    static final int WORDS = 200;
    static final String WORD = " word";
    static final long INTERVAL_MS = 5;
    private static final Pattern MAX_TOKENS = Pattern.compile("\"max_tokens\"\\s*:\\s*(\\d+)");
    private static final Pattern INCLUDE_USAGE = Pattern.compile("\"include_usage\"\\s*:\\s*true");

    /** One request: what it asked for and how its stream ended ({@code brokenNanos} < 0: written to the end). */
    static final class Served {
        final String body;
        volatile int written;
        volatile long brokenNanos = -1;
        volatile boolean finished;

        Served(String body) {
            this.body = body;
        }

        OptionalLong maxTokens() {
            Matcher m = MAX_TOKENS.matcher(body);
            return m.find() ? OptionalLong.of(Long.parseLong(m.group(1))) : OptionalLong.empty();
        }

        boolean contains(String text) {
            return body.contains(text);
        }
    }

    private final HttpServer server;
    private final ExecutorService executor;
    private final List<Served> served = new CopyOnWriteArrayList<>();

    private RunawayStreamUpstream(HttpServer server, ExecutorService executor) {
        this.server = server;
        this.executor = executor;
    }

    static RunawayStreamUpstream start() {
        try {
            HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 50);
            ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor();
            RunawayStreamUpstream stub = new RunawayStreamUpstream(server, executor);
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

    /** The request whose body contains {@code marker}, once its stream has ended one way or the other. */
    Served awaitFinished(String marker, java.time.Duration timeout) {
        return Poll.until("finished stream for " + marker, timeout, () -> served.stream()
                .filter(s -> s.contains(marker) && s.finished).findFirst());
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            Served s = new Served(new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
            served.add(s);
            try {
                exchange.getResponseHeaders().set("Content-Type", "text/event-stream");
                exchange.sendResponseHeaders(200, 0);
                OutputStream out = exchange.getResponseBody();
                String chunk = "{\"id\":\"chatcmpl-runaway\",\"object\":\"chat.completion.chunk\",\"created\":1700000000,"
                        + "\"model\":\"runaway\",\"choices\":[{\"index\":0,\"delta\":%s,\"logprobs\":null,\"finish_reason\":%s}]}";
                event(out, chunk.formatted("{\"role\":\"assistant\",\"content\":\"\"}", "null"));
                for (int i = 0; i < WORDS; i++) {
                    event(out, chunk.formatted("{\"content\":\"" + WORD + "\"}", "null"));
                    s.written = i + 1;
                    Thread.sleep(INTERVAL_MS);
                }
                event(out, chunk.formatted("{}", "\"stop\""));
                if (INCLUDE_USAGE.matcher(s.body).find()) {
                    event(out, "{\"id\":\"chatcmpl-runaway\",\"object\":\"chat.completion.chunk\",\"created\":1700000000,"
                            + "\"model\":\"runaway\",\"choices\":[],\"usage\":{\"prompt_tokens\":9,\"completion_tokens\":"
                            + WORDS + ",\"total_tokens\":" + (9 + WORDS) + "}}");
                }
                event(out, "[DONE]");
            } catch (IOException e) {
                s.brokenNanos = System.nanoTime();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } finally {
                s.finished = true;
            }
        }
    }

    private static void event(OutputStream out, String data) throws IOException {
        out.write(("data: " + data + "\n\n").getBytes(StandardCharsets.UTF_8));
        out.flush();
    }
}
