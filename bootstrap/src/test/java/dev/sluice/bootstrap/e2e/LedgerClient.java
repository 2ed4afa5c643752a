package dev.sluice.bootstrap.e2e;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.function.IntFunction;

/**
 * Raw-HTTP load for the usage-ledger tests: one chat completion per request number {@code n}, with
 * the request id {@code <prefix>-<n>} and the user message {@code n=<n>} (from which
 * {@link LedgerUpstream} derives the usage it reports).
 */
final class LedgerClient implements AutoCloseable {
    /** How a request is sent and read. */
    enum Kind {
        JSON(false, false),
        STREAM_WITH_USAGE(true, true),
        STREAM_WITHOUT_USAGE(true, false),
        /** A stream the client hangs up on after the first event. */
        ABORTED_STREAM(true, false);

        final boolean stream;
        final boolean includeUsage;

        Kind(boolean stream, boolean includeUsage) {
            this.stream = stream;
            this.includeUsage = includeUsage;
        }
    }

    /** One planned request. */
    record Planned(int n, String model, Kind kind, String apiKey) {
    }

    private final int port;
    private final String prefix;
    private final HttpClient http = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5))
            .executor(Executors.newFixedThreadPool(2))
            .build();
    final Queue<String> failures = new ConcurrentLinkedQueue<>();

    LedgerClient(int port, String prefix) {
        this.port = port;
        this.prefix = prefix;
    }

    String requestId(int n) {
        return prefix + "-" + n;
    }

    /** Sends requests {@code from} to {@code to - 1}, at most {@code concurrency} at a time, and waits for all. */
    void run(int from, int to, int concurrency, IntFunction<Planned> plan) {
        Semaphore slots = new Semaphore(concurrency);
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int n = from; n < to; n++) {
                Planned p = plan.apply(n);
                slots.acquireUninterruptibly();
                pool.execute(() -> {
                    try {
                        send(p);
                    } catch (Exception | AssertionError e) {
                        failures.add(requestId(p.n()) + ": " + e);
                    } finally {
                        slots.release();
                    }
                });
            }
            pool.shutdown();
            if (!pool.awaitTermination(120, TimeUnit.SECONDS)) {
                throw new AssertionError("requests did not finish in 120 s");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    void send(Planned p) throws IOException, InterruptedException {
        String body = "{\"model\":\"%s\",\"messages\":[{\"role\":\"user\",\"content\":\"n=%d\"}]%s}".formatted(p.model(), p.n(),
                !p.kind().stream ? "" : p.kind().includeUsage ? ",\"stream\":true,\"stream_options\":{\"include_usage\":true}" : ",\"stream\":true");
        if (p.kind() == Kind.ABORTED_STREAM) {
            abort(p, body);
            return;
        }
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/v1/chat/completions"))
                .timeout(Duration.ofSeconds(30))
                .header("Authorization", "Bearer " + p.apiKey())
                .header("Content-Type", "application/json")
                .header("X-Request-Id", requestId(p.n()))
                .POST(HttpRequest.BodyPublishers.ofString(body))
                .build();
        HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        if (response.statusCode() != 200) {
            throw new AssertionError("status " + response.statusCode() + ": " + response.body());
        }
        String text = response.body();
        int prompt = LedgerUpstream.promptTokens(p.n());
        int completion = LedgerUpstream.completionTokens(p.n());
        String usage = "\"prompt_tokens\":%d,\"completion_tokens\":%d,\"total_tokens\":%d".formatted(prompt, completion, prompt + completion);
        if (p.kind().stream && !text.trim().endsWith("data: [DONE]")) {
            throw new AssertionError("stream not complete: " + text);
        }
        if ((p.kind() != Kind.STREAM_WITHOUT_USAGE) != text.contains(usage)) {
            throw new AssertionError("usage " + usage + " expected " + (p.kind() != Kind.STREAM_WITHOUT_USAGE) + " in: " + text);
        }
    }

    /** Reads the response head and the first event, then closes the connection. */
    private void abort(Planned p, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), port)) {
            socket.setSoTimeout(10_000);
            OutputStream out = socket.getOutputStream();
            out.write(("POST /v1/chat/completions HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer " + p.apiKey()
                    + "\r\nContent-Type: application/json\r\nX-Request-Id: " + requestId(p.n())
                    + "\r\nContent-Length: " + bytes.length + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            out.write(bytes);
            out.flush();
            InputStream in = socket.getInputStream();
            StringBuilder seen = new StringBuilder();
            byte[] buffer = new byte[4096];
            while (!seen.toString().contains("data: ")) {
                int read = in.read(buffer);
                if (read < 0) {
                    throw new AssertionError("closed before the first event: " + seen);
                }
                seen.append(new String(buffer, 0, read, StandardCharsets.ISO_8859_1));
            }
            if (!seen.toString().startsWith("HTTP/1.1 200")) {
                throw new AssertionError("not a stream: " + seen);
            }
        }
    }

    static List<String> sample(Queue<String> failures) {
        return failures.stream().limit(10).toList();
    }

    @Override
    public void close() {
        http.close();
    }
}
