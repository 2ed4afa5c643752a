package dev.sluice.bootstrap.e2e;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The gateway as a separate operating-system process ({@code java -cp <this JVM's class path>
 * dev.sluice.bootstrap.Sluice}), configured through its environment like a deployment, so a test can
 * kill it ({@code SIGKILL}) or stop it ({@code SIGTERM}) for real. Output goes to a log file that
 * {@link #log()} returns for failure messages.
 */
final class GatewayProcess implements AutoCloseable {
    private static final Duration START_TIMEOUT = Duration.ofSeconds(60);

    private final Process process;
    private final int proxyPort;
    private final int adminPort;
    private final Path logFile;
    private final HttpClient http = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5))
            .build();
    private final AdminApi admin;

    private GatewayProcess(Process process, int proxyPort, int adminPort, Path logFile) {
        this.process = process;
        this.proxyPort = proxyPort;
        this.adminPort = adminPort;
        this.logFile = logFile;
        this.admin = new AdminApi(http, URI.create("http://127.0.0.1:" + adminPort), Gateway.ADMIN_TOKEN);
    }

    /**
     * Starts the gateway on {@code jdbcUrl} with random free ports and waits until {@code /health}
     * answers 200. {@code properties} become {@code -D} system properties of the gateway JVM.
     */
    static GatewayProcess start(String jdbcUrl, String user, String password, Map<String, String> properties) {
        Path dataDir;
        Path logFile;
        try {
            dataDir = Files.createTempDirectory("sluice-e2e-process-");
            logFile = dataDir.resolve("gateway.log");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        int proxyPort = freePort();
        int adminPort = freePort();
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.add("-Xmx384m");
        command.add("-XX:TieredStopAtLevel=1");
        properties.forEach((key, value) -> command.add("-D" + key + "=" + value));
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add("dev.sluice.bootstrap.Sluice");
        ProcessBuilder builder = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(logFile.toFile());
        Map<String, String> env = builder.environment();
        env.put("SLUICE_DB_URL", jdbcUrl);
        env.put("SLUICE_DB_USER", user);
        env.put("SLUICE_DB_PASSWORD", password == null ? "" : password);
        env.put("SLUICE_HOST", "127.0.0.1");
        env.put("SLUICE_PORT", Integer.toString(proxyPort));
        env.put("SLUICE_ADMIN_PORT", Integer.toString(adminPort));
        env.put("SLUICE_DATA_DIR", dataDir.toString());
        env.put("SLUICE_ADMIN_TOKEN", Gateway.ADMIN_TOKEN);
        env.put("SLUICE_SECRET_KEY", Gateway.SECRET_KEY);
        env.put("SLUICE_PROXY_THREADS", "2");
        env.remove("SLUICE_LOG_FORMAT");
        Process process;
        try {
            process = builder.start();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        GatewayProcess gateway = new GatewayProcess(process, proxyPort, adminPort, logFile);
        try {
            gateway.awaitHealthy();
        } catch (RuntimeException | Error e) {
            gateway.close();
            throw e;
        }
        return gateway;
    }

    private void awaitHealthy() {
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        HttpRequest health = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + adminPort + "/health"))
                .timeout(Duration.ofSeconds(2)).GET().build();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new AssertionError("the gateway process exited with " + process.exitValue() + " while starting:\n" + log());
            }
            try {
                if (http.send(health, HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
                    return;
                }
            } catch (IOException e) {
                // not listening yet
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
            sleep(100);
        }
        throw new AssertionError("the gateway process was not healthy within " + START_TIMEOUT.toSeconds() + " s:\n" + log());
    }

    AdminApi admin() {
        return admin;
    }

    int proxyPort() {
        return proxyPort;
    }

    /** A chat completion through the proxy port with the given request id; returns the status. */
    int chat(String apiKey, String model, String requestId) {
        String body = "{\"model\":\"" + model + "\",\"messages\":[{\"role\":\"user\",\"content\":\"hello\"}]}";
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + proxyPort + "/v1/chat/completions"))
                .timeout(Duration.ofSeconds(15))
                .header("Authorization", "Bearer " + apiKey)
                .header("Content-Type", "application/json")
                .header("X-Request-Id", requestId)
                .POST(HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8))
                .build();
        try {
            return http.send(request, HttpResponse.BodyHandlers.discarding()).statusCode();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** {@code kill -9}: the JVM gets no chance to run shutdown hooks. */
    void kill() {
        process.destroyForcibly();
        awaitExit(Duration.ofSeconds(10));
    }

    /** {@code SIGTERM}: the JVM's shutdown hooks stop the gateway as an operator's stop would. */
    void terminate(Duration timeout) {
        process.destroy();
        awaitExit(timeout);
    }

    private void awaitExit(Duration timeout) {
        try {
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly();
                throw new AssertionError("the gateway process did not exit within " + timeout.toSeconds() + " s:\n" + log());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** The process's output so far (the last 20 000 characters). */
    String log() {
        try {
            String text = Files.readString(logFile, StandardCharsets.UTF_8);
            return text.length() > 20_000 ? text.substring(text.length() - 20_000) : text;
        } catch (IOException e) {
            return "(no log: " + e + ")";
        }
    }

    @Override
    public void close() {
        if (process.isAlive()) {
            process.destroyForcibly();
            try {
                process.waitFor(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private static int freePort() {
        try (ServerSocket socket = new ServerSocket(0)) {
            socket.setReuseAddress(true);
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
