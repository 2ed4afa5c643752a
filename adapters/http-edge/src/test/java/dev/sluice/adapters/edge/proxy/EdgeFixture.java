package dev.sluice.adapters.edge.proxy;

import dev.sluice.application.config.LiveConfiguration;
import dev.sluice.application.port.UpstreamClient;
import dev.sluice.application.proxy.ProxyService;
import dev.sluice.application.proxy.ProxySettings;
import dev.sluice.domain.backend.Backend;
import dev.sluice.domain.backend.ModelMapping;
import dev.sluice.domain.backend.Secret;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;

import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;

/**
 * A running proxy port: a real {@link ProxyService} over in-memory repositories, serving one
 * backend ({@code gpt-test} → {@code upstream-model}) through the given upstream client.
 */
final class EdgeFixture implements AutoCloseable {
    static final String MODEL = "gpt-test";
    static final String UPSTREAM_MODEL = "upstream-model";
    static final String BACKEND_KEY = "sk-backend-secret";
    static final int MAX_BODY = 4096;

    static {
        // logback's default is DEBUG for everything: keep the test output readable
        ((ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME))
                .setLevel(ch.qos.logback.classic.Level.INFO);
    }

    final EventLoopGroup group = new MultiThreadIoEventLoopGroup(2, NioIoHandler.newFactory());
    final InMemoryBackendRepository backends = new InMemoryBackendRepository();
    final InMemoryAppRepository apps = new InMemoryAppRepository();
    final CollectingRequestLog log = new CollectingRequestLog();
    final AtomicBoolean ready = new AtomicBoolean(true);
    final LiveConfiguration configuration;
    final UpstreamClient upstream;
    final ProxyServer server;

    EdgeFixture(Function<EventLoopGroup, UpstreamClient> upstreamFactory, String backendBaseUrl) {
        configuration = configuration(backends, apps, backendBaseUrl);
        upstream = upstreamFactory.apply(group);
        ProxyService service = new ProxyService(configuration, upstream, log,
                new ProxySettings(false, ProxySettings.DEFAULT_RESPONSE_TAIL_BYTES));
        server = new ProxyServer(group, service, new ProxyServerSettings("127.0.0.1", 0, MAX_BODY, Duration.ofSeconds(30)),
                ready::get);
        server.start();
    }

    /** A loaded configuration with one backend serving {@link #MODEL} at {@code backendBaseUrl}. */
    static LiveConfiguration configuration(InMemoryBackendRepository backends, InMemoryAppRepository apps, String backendBaseUrl) {
        backends.insert(new Backend(UUID.randomUUID(), "stub", backendBaseUrl, Optional.of(Secret.of(BACKEND_KEY)),
                1, 10, 5_000, true, Map.of(), List.of(new ModelMapping(MODEL, UPSTREAM_MODEL))));
        LiveConfiguration configuration = new LiveConfiguration(backends, apps, Clock.systemUTC());
        configuration.reload();
        return configuration;
    }

    static EdgeFixture withFakeUpstream() {
        return new EdgeFixture(FakeUpstreamClient::new, "http://backend.test/v1");
    }

    FakeUpstreamClient fake() {
        return (FakeUpstreamClient) upstream;
    }

    RawHttpConnection connect() throws IOException {
        return new RawHttpConnection(server.port());
    }

    static String chatBody(boolean stream) {
        return "{\"model\":\"" + MODEL + "\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],\"stream\":" + stream + "}";
    }

    @Override
    public void close() {
        server.close();
        group.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
    }
}
