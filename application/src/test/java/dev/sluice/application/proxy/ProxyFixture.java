package dev.sluice.application.proxy;

import dev.sluice.application.config.LiveConfiguration;
import dev.sluice.application.port.RateLimitStore;
import dev.sluice.application.port.TokenCounter;
import dev.sluice.application.queue.AdmissionQueue;
import dev.sluice.application.routing.BackendHealth;
import dev.sluice.application.routing.Routing;
import dev.sluice.application.testing.InMemoryAppRepository;
import dev.sluice.application.testing.InMemoryAutoModelRepository;
import dev.sluice.application.testing.InMemoryBackendRepository;
import dev.sluice.application.testing.InMemoryRateLimitStore;
import dev.sluice.domain.app.ApiKey;
import dev.sluice.domain.app.App;
import dev.sluice.domain.backend.Backend;
import dev.sluice.domain.limits.Limiter;
import dev.sluice.domain.routing.BackendSelector;
import dev.sluice.domain.routing.CircuitBreaker;
import dev.sluice.domain.routing.FailoverPolicy;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;

import static dev.sluice.application.testing.AppTestData.aKey;
import static dev.sluice.application.testing.AppTestData.anApp;

/**
 * A ProxyService wired to in-memory configuration and fakes, with the givens the proxy tests share.
 * Time is the test's: retry backoffs and the request deadline wait on {@link #scheduler} until
 * {@link #timePasses} says so, and backend health reads {@link #clock}. The routing state (round
 * robin, circuit breakers, cooldowns) lives as long as the fixture, across requests.
 */
final class ProxyFixture {
    static final String LIVE_KEY = "sk-sluice-live-key-of-billing-app-0000000000";

    final InMemoryBackendRepository backends = new InMemoryBackendRepository();
    final InMemoryAppRepository apps = new InMemoryAppRepository();
    final InMemoryAutoModelRepository autoModels = new InMemoryAutoModelRepository();
    final LiveConfiguration configuration = new LiveConfiguration(backends, apps, autoModels,
            Clock.fixed(Instant.parse("2025-03-01T12:00:00Z"), ZoneOffset.UTC));
    final FakeUpstreamClient upstream = new FakeUpstreamClient();
    final RecordingRequestLog requestLog = new RecordingRequestLog();
    final ManualClock clock = new ManualClock(Instant.parse("2025-03-01T12:00:00Z"));
    final FakeDelayScheduler scheduler = new FakeDelayScheduler(clock);
    final App billing = anApp("billing");
    private boolean apiKeysRequired = true;
    private FailoverPolicy policy = FailoverPolicy.defaults();
    private Duration requestDeadline = Duration.ZERO;
    private TokenCounter tokens = TokenCounter.ESTIMATE;
    private RateLimitStore limits = RateLimitStore.UNLIMITED;
    private int queueSize;
    private Duration defaultMaxWait = Duration.ofSeconds(30);
    private Routing routing;

    ProxyFixture() {
        apps.insertApp(billing);
        apps.insertKey(aKey().of(billing).withPlainKey(LIVE_KEY).build());
    }

    ProxyFixture withKeysSwitchedOff() {
        apiKeysRequired = false;
        return this;
    }

    /** Bounds all attempts of a request; none by default. */
    ProxyFixture withRequestDeadline(Duration deadline) {
        requireRoutingNotBuilt();
        this.requestDeadline = deadline;
        return this;
    }

    ProxyFixture withBackoff(Duration base, Duration max) {
        requireRoutingNotBuilt();
        this.policy = new FailoverPolicy(base, max);
        return this;
    }

    /**
     * Backends' rate limits are kept (in memory, on {@link #clock}) and requests over them wait in a
     * queue of {@code queueSize}, at most {@code defaultMaxWait} unless the client asks for less.
     */
    ProxyFixture withRateLimits(int queueSize, Duration defaultMaxWait) {
        requireRoutingNotBuilt();
        this.limits = new InMemoryRateLimitStore();
        this.queueSize = queueSize;
        this.defaultMaxWait = defaultMaxWait;
        return this;
    }

    /** Every prompt counts as this many tokens (instead of the estimate from its length). */
    ProxyFixture withPromptTokens(int promptTokens) {
        requireRoutingNotBuilt();
        this.tokens = (model, prompt) -> promptTokens;
        return this;
    }

    ProxyFixture withAutoModels(String... models) {
        autoModels.replaceAll(List.of(models));
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

    FailoverPolicy policy() {
        return policy;
    }

    BackendHealth health() {
        return routing().health();
    }

    AdmissionQueue queue() {
        return routing().queue();
    }

    /** What a backend's limits count now. */
    Limiter.Usage usageOf(Backend backend) {
        return routing().limits().usage("backend:" + backend.id(), backend.options().limits(), clock.millis());
    }

    /** Lets time pass: backoffs and deadlines that fall due run, and backend health sees the later time. */
    void timePasses(Duration duration) {
        scheduler.advance(duration);
    }

    ProxyService proxy() {
        configuration.reload();
        return new ProxyService(configuration, upstream, requestLog,
                new ProxySettings(apiKeysRequired, ProxySettings.DEFAULT_RESPONSE_TAIL_BYTES), routing());
    }

    /** Forwards the call through a freshly loaded configuration and returns what the client received. */
    RecordingResponseSink forward(ProxyCall call) {
        RecordingResponseSink sink = new RecordingResponseSink();
        proxy().forward(call, sink);
        return sink;
    }

    private Routing routing() {
        if (routing == null) {
            routing = new Routing(new BackendSelector(), new BackendHealth(CircuitBreaker.Settings.defaults(), clock),
                    policy, scheduler, requestDeadline, tokens, limits, new AdmissionQueue(queueSize, scheduler, clock),
                    defaultMaxWait, Routing.DEFAULT_OUTPUT_TOKENS);
        }
        return routing;
    }

    private void requireRoutingNotBuilt() {
        if (routing != null) {
            throw new IllegalStateException("configure routing before the first request");
        }
    }
}
