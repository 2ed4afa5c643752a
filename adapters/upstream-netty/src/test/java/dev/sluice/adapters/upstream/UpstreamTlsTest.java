package dev.sluice.adapters.upstream;

import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import dev.sluice.application.port.UpstreamFailure;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** HTTPS backends: verified against a configured trust store, with hostname verification. */
class UpstreamTlsTest extends UpstreamTestSupport {
    @TempDir
    static Path dir;
    static Path trustStore;
    static HttpsServer good;
    static HttpsServer wrongName;
    static ExecutorService executor;
    static final List<String> seen = new CopyOnWriteArrayList<>();

    @BeforeAll
    static void startServers() throws Exception {
        Path goodKeys = TestCerts.keyStore(dir, "good", "localhost", "IP:127.0.0.1,DNS:localhost");
        Path wrongKeys = TestCerts.keyStore(dir, "wrong", "wrong.example", "DNS:wrong.example");
        trustStore = TestCerts.trustStore(dir, goodKeys, wrongKeys);
        executor = Executors.newCachedThreadPool();
        good = https(goodKeys);
        wrongName = https(wrongKeys);
    }

    @AfterAll
    static void stopServers() {
        good.stop(0);
        wrongName.stop(0);
        executor.shutdownNow();
    }

    private static HttpsServer https(Path keyStore) throws Exception {
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(TestCerts.load(keyStore), TestCerts.PASSWORD.toCharArray());
        SSLContext ssl = SSLContext.getInstance("TLS");
        ssl.init(kmf.getKeyManagers(), null, null);
        HttpsServer server = HttpsServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.setHttpsConfigurator(new HttpsConfigurator(ssl));
        server.setExecutor(executor);
        server.createContext("/", exchange -> {
            byte[] request = exchange.getRequestBody().readAllBytes();
            seen.add(exchange.getRequestMethod() + " " + exchange.getRequestURI() + " host=" + exchange.getRequestHeaders().getFirst("Host")
                    + " body=" + new String(request, StandardCharsets.UTF_8));
            byte[] body = "secure ok".getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", "text/plain");
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        server.start();
        return server;
    }

    private NettyUpstreamClient trusting() {
        return new NettyUpstreamClient(group, new UpstreamSettings(Duration.ofSeconds(2), 8, 8, Duration.ofSeconds(30),
                Optional.of(trustStore), TestCerts.PASSWORD));
    }

    @Test
    void anHttpsBackendTrustedThroughTheTrustStoreAnswers() {
        NettyUpstreamClient tls = trusting();
        int port = good.getAddress().getPort();
        seen.clear();
        RecordingListener byIp = send(tls, post("https://127.0.0.1:" + port + "/v1/embeddings", "{\"n\":1}", WAIT),
                new RecordingListener()).awaitEnd(WAIT);
        assertEquals(200, byIp.awaitHead(WAIT).status());
        assertEquals("secure ok", byIp.body());
        assertEquals("POST /v1/embeddings host=127.0.0.1:" + port + " body={\"n\":1}", seen.getFirst());

        RecordingListener again = send(tls, post("https://127.0.0.1:" + port + "/v1/embeddings", "{}", WAIT),
                new RecordingListener()).awaitEnd(WAIT);
        assertEquals("secure ok", again.body());
        assertEquals(1, tls.openConnections(), "the TLS connection is kept alive and reused");

        RecordingListener byName = send(tls, post("https://localhost:" + port + "/v1/embeddings", "{}", WAIT),
                new RecordingListener()).awaitEnd(WAIT);
        assertEquals("secure ok", byName.body());
    }

    @Test
    void withoutTheTrustStoreASelfSignedBackendFailsWithConnect() {
        NettyUpstreamClient defaultTrust = new NettyUpstreamClient(group, settings(8, 8, Duration.ofSeconds(30)));
        seen.clear();
        RecordingListener l = send(defaultTrust, post("https://127.0.0.1:" + good.getAddress().getPort() + "/v1/embeddings",
                "{}", WAIT), new RecordingListener());
        assertEquals(UpstreamFailure.Kind.CONNECT, l.awaitFailure(WAIT).kind());
        assertEquals(List.of(), seen, "nothing was sent over an untrusted connection");
        Poll.until(() -> defaultTrust.openConnections() == 0, WAIT, "the failed connection is closed");
    }

    @Test
    void aCertificateForAnotherHostFailsWithConnect() {
        NettyUpstreamClient tls = trusting();
        seen.clear();
        RecordingListener l = send(tls, post("https://127.0.0.1:" + wrongName.getAddress().getPort() + "/v1/embeddings",
                "{}", WAIT), new RecordingListener());
        assertEquals(UpstreamFailure.Kind.CONNECT, l.awaitFailure(WAIT).kind());
        assertEquals(List.of(), seen);
        Poll.until(() -> tls.openConnections() == 0, WAIT, "the failed connection is closed");
    }
}
