package dev.sluice.application.proxy;

import dev.sluice.application.config.LiveConfiguration;
import dev.sluice.application.testing.InMemoryAppRepository;
import dev.sluice.application.testing.InMemoryBackendRepository;
import dev.sluice.domain.app.ApiKey;
import dev.sluice.domain.app.App;
import dev.sluice.domain.backend.Backend;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;

import static dev.sluice.application.testing.AppTestData.aKey;
import static dev.sluice.application.testing.AppTestData.anApp;

/** A ProxyService wired to in-memory configuration and fakes, with the givens the proxy tests share. */
final class ProxyFixture {
    static final String LIVE_KEY = "sk-sluice-live-key-of-billing-app-0000000000";

    final InMemoryBackendRepository backends = new InMemoryBackendRepository();
    final InMemoryAppRepository apps = new InMemoryAppRepository();
    final LiveConfiguration configuration = new LiveConfiguration(backends, apps,
            Clock.fixed(Instant.parse("2025-03-01T12:00:00Z"), ZoneOffset.UTC));
    final FakeUpstreamClient upstream = new FakeUpstreamClient();
    final RecordingRequestLog requestLog = new RecordingRequestLog();
    final App billing = anApp("billing");
    private boolean apiKeysRequired = true;

    ProxyFixture() {
        apps.insertApp(billing);
        apps.insertKey(aKey().of(billing).withPlainKey(LIVE_KEY).build());
    }

    ProxyFixture withKeysSwitchedOff() {
        apiKeysRequired = false;
        return this;
    }

    ProxyFixture given(Backend backend) {
        backends.insert(backend);
        return this;
    }

    ProxyFixture given(ApiKey key) {
        apps.insertKey(key);
        return this;
    }

    ProxyService proxy() {
        configuration.reload();
        return new ProxyService(configuration, upstream, requestLog,
                new ProxySettings(apiKeysRequired, ProxySettings.DEFAULT_RESPONSE_TAIL_BYTES));
    }

    /** Forwards the call through a freshly loaded configuration and returns what the client received. */
    RecordingResponseSink forward(ProxyCall call) {
        RecordingResponseSink sink = new RecordingResponseSink();
        proxy().forward(call, sink);
        return sink;
    }
}
