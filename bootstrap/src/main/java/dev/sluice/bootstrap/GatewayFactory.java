package dev.sluice.bootstrap;

import dev.sluice.adapters.edge.proxy.ProxyServer;
import dev.sluice.adapters.edge.proxy.ProxyServerSettings;
import dev.sluice.adapters.persistence.AesGcmSecretCipher;
import dev.sluice.adapters.persistence.JdbcDatabaseProbe;
import dev.sluice.adapters.persistence.JooqAppRepository;
import dev.sluice.adapters.persistence.JooqBackendRepository;
import dev.sluice.adapters.persistence.JooqAutoModelRepository;
import dev.sluice.adapters.persistence.JooqRequestLog;
import dev.sluice.adapters.persistence.JooqRequestLogReader;
import dev.sluice.adapters.persistence.JooqUsageReader;
import dev.sluice.adapters.persistence.RequestLogPartitions;
import dev.sluice.adapters.persistence.JooqAuditLog;
import dev.sluice.adapters.persistence.JooqHealthEventStore;
import dev.sluice.adapters.persistence.JooqQuotaRepository;
import dev.sluice.adapters.persistence.PostgresConfigChannel;
import dev.sluice.adapters.ratelimit.LocalRateLimitStore;
import dev.sluice.adapters.tokenizer.JtokkitTokenCounter;
import dev.sluice.adapters.upstream.EventLoopScheduler;
import dev.sluice.adapters.upstream.NettyUpstreamClient;
import dev.sluice.adapters.upstream.UpstreamSettings;
import dev.sluice.application.admin.AppService;
import dev.sluice.application.admin.AutoModelService;
import dev.sluice.application.admin.BackendService;
import dev.sluice.application.config.LiveConfiguration;
import dev.sluice.application.port.AppRepository;
import dev.sluice.application.port.AutoModelRepository;
import dev.sluice.application.port.RequestLogReader;
import dev.sluice.application.port.UsageReader;
import dev.sluice.application.port.BackendRepository;
import dev.sluice.application.port.DatabaseProbe;
import dev.sluice.application.port.AuditLog;
import dev.sluice.application.port.HealthEventStore;
import dev.sluice.application.port.QuotaRepository;
import dev.sluice.application.port.RateLimitStore;
import dev.sluice.application.quota.QuotaLedger;
import dev.sluice.application.port.SecretCipher;
import dev.sluice.application.queue.AdmissionQueue;
import dev.sluice.application.port.TokenCounter;
import dev.sluice.application.proxy.ProxyService;
import dev.sluice.application.proxy.ProxySettings;
import dev.sluice.application.routing.BackendHealth;
import dev.sluice.application.routing.HealthHistory;
import dev.sluice.application.routing.HealthCheckService;
import dev.sluice.application.routing.Routing;
import dev.sluice.domain.routing.BackendSelector;
import dev.sluice.domain.routing.FailoverPolicy;
import dev.sluice.domain.routing.CircuitBreaker;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micronaut.context.annotation.Bean;
import io.micronaut.context.annotation.Factory;
import io.micronaut.context.annotation.Requires;
import io.micronaut.context.annotation.Value;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.util.concurrent.DefaultThreadFactory;
import jakarta.inject.Named;
import jakarta.inject.Singleton;
import org.jooq.DSLContext;
import org.jooq.SQLDialect;
import org.jooq.conf.Settings;
import org.jooq.impl.DSL;

import java.util.UUID;
import javax.sql.DataSource;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;

/** All the wiring: which adapter plugs into which port. The core classes carry no framework annotations. */
@Factory
final class GatewayFactory {

    @Singleton
    Clock clock() {
        return Clock.systemUTC();
    }

    @Singleton
    DSLContext dsl(DataSource dataSource) {
        Settings settings = new Settings().withExecuteLogging(false).withRenderSchema(false);
        return DSL.using(dataSource, SQLDialect.POSTGRES, settings);
    }

    @Singleton
    SecretCipher secretCipher(@Value("${sluice.secret-key}") String masterKey) {
        return new AesGcmSecretCipher(AesGcmSecretCipher.parseKey(masterKey));
    }

    @Singleton
    BackendRepository backendRepository(DSLContext dsl, SecretCipher cipher) {
        return new JooqBackendRepository(dsl, cipher);
    }

    @Singleton
    AppRepository appRepository(DSLContext dsl) {
        return new JooqAppRepository(dsl);
    }

    @Singleton
    @Bean(preDestroy = "close")
    JooqRequestLog requestLog(DSLContext dsl,
                              @Value("${sluice.request-log.flush-interval:200ms}") Duration flushInterval,
                              @Value("${sluice.request-log.batch-size:1000}") int batchSize,
                              @Value("${sluice.data-dir:}") String dataDir,
                              @Value("${sluice.request-log.max-buffered:10000}") int maxBuffered) {
        // while PostgreSQL is down or slow, records beyond max-buffered go to append-only files in <data>/spill
        Optional<Path> spill = dataDir.isBlank() ? Optional.empty() : Optional.of(Path.of(dataDir, "spill"));
        return new JooqRequestLog(dsl, flushInterval, batchSize, spill, maxBuffered);
    }

    /** Daily partitions of the request log: created ahead, dropped after the retention (aggregates are kept). */
    @Singleton
    RequestLogPartitions requestLogPartitions(DSLContext dsl,
                                              @Value("${sluice.request-log.retention:30d}") Duration retention,
                                              @Value("${sluice.request-log.partitions-ahead:7}") int daysAhead) {
        return new RequestLogPartitions(dsl, retention, daysAhead);
    }

    @Singleton
    DatabaseProbe databaseProbe(DSLContext dsl) {
        return new JdbcDatabaseProbe(dsl);
    }

    @Singleton
    AutoModelRepository autoModelRepository(DSLContext dsl) {
        return new JooqAutoModelRepository(dsl);
    }

    @Singleton
    UsageReader usageReader(DSLContext dsl) {
        return new JooqUsageReader(dsl);
    }

    @Singleton
    RequestLogReader requestLogReader(DSLContext dsl) {
        return new JooqRequestLogReader(dsl);
    }

    @Singleton
    LiveConfiguration liveConfiguration(BackendRepository backends, AppRepository apps, AutoModelRepository autoModels,
                                        Clock clock) {
        return new LiveConfiguration(backends, apps, autoModels, clock);
    }

    /**
     * Changes made on this instance are announced over PostgreSQL {@code LISTEN/NOTIFY}, and other
     * instances' announcements reload this one at once ({@code sluice.config.notify}, default on).
     */
    @Singleton
    @Requires(property = "sluice.config.notify", notEquals = "false")
    PostgresConfigChannel configChannel(DSLContext dsl, LiveConfiguration configuration,
                                        @Value("${datasources.default.url}") String url,
                                        @Value("${datasources.default.username:postgres}") String user,
                                        @Value("${datasources.default.password:}") String password) {
        PostgresConfigChannel channel = new PostgresConfigChannel(dsl, url, user, password, UUID.randomUUID().toString(),
                configuration::reload, Duration.ofSeconds(2));
        configuration.announceChangesTo(channel);
        return channel;
    }

    @Singleton
    AutoModelService autoModelService(AutoModelRepository autoModels, LiveConfiguration configuration) {
        return new AutoModelService(autoModels, configuration);
    }

    @Singleton
    AuditLog auditLog(DSLContext dsl) {
        return new JooqAuditLog(dsl);
    }

    @Singleton
    HealthEventStore healthEventStore(DSLContext dsl) {
        return new JooqHealthEventStore(dsl);
    }

    /** Health events wait here for the store (flushed every second); beyond the capacity the oldest are dropped. */
    @Singleton
    HealthHistory healthHistory(HealthEventStore store, @Value("${sluice.health.history.buffer:10000}") int capacity) {
        return new HealthHistory(store, capacity);
    }

    @Singleton
    BackendHealth backendHealth(Clock clock, HealthHistory history,
                                @Value("${sluice.health.circuit.consecutive-failures:5}") int consecutiveFailures,
                                @Value("${sluice.health.circuit.failure-ratio:0.5}") double failureRatio,
                                @Value("${sluice.health.circuit.minimum-requests:20}") int minimumRequests,
                                @Value("${sluice.health.circuit.window:30s}") Duration window,
                                @Value("${sluice.health.circuit.base-cooldown:10s}") Duration baseCooldown,
                                @Value("${sluice.health.circuit.max-cooldown:5m}") Duration maxCooldown) {
        return new BackendHealth(new CircuitBreaker.Settings(consecutiveFailures, failureRatio, minimumRequests, window,
                baseCooldown, maxCooldown), clock, history::listenerFor);
    }

    @Singleton
    HealthCheckService healthCheckService(LiveConfiguration configuration, NettyUpstreamClient upstream, BackendHealth health) {
        return new HealthCheckService(configuration, upstream, health);
    }

    @Singleton
    BackendService backendService(BackendRepository backends, LiveConfiguration configuration) {
        return new BackendService(backends, configuration);
    }

    @Singleton
    AppService appService(AppRepository apps, LiveConfiguration configuration, Clock clock) {
        return new AppService(apps, configuration, clock);
    }

    /** The event loops of the proxy port, shared by client and backend connections (one thread per core by default). */
    @Singleton
    @Named("proxy")
    EventLoopGroup proxyEventLoops(@Value("${sluice.proxy.threads:0}") int threads) {
        int n = threads > 0 ? threads : Runtime.getRuntime().availableProcessors();
        return new MultiThreadIoEventLoopGroup(n, new DefaultThreadFactory("sluice-proxy", true), NioIoHandler.newFactory());
    }

    @Singleton
    UpstreamSettings upstreamSettings(
            @Value("${sluice.upstream.connect-timeout:10s}") Duration connectTimeout,
            @Value("${sluice.upstream.max-connections-per-host:1024}") int maxConnections,
            @Value("${sluice.upstream.max-pending-per-host:4096}") int maxPending,
            @Value("${sluice.upstream.idle-timeout:60s}") Duration idleTimeout,
            @Value("${sluice.upstream.trust-store:}") String trustStore,
            @Value("${sluice.upstream.trust-store-password:}") String trustStorePassword) {
        return new UpstreamSettings(connectTimeout, maxConnections, maxPending, idleTimeout,
                trustStore.isBlank() ? Optional.empty() : Optional.of(Path.of(trustStore)), trustStorePassword);
    }

    @Singleton
    NettyUpstreamClient upstreamClient(@Named("proxy") EventLoopGroup loops, UpstreamSettings settings) {
        return new NettyUpstreamClient(loops, settings);
    }

    @Singleton
    TokenCounter tokenCounter() {
        return new JtokkitTokenCounter();
    }

    @Singleton
    QuotaRepository quotaRepository(DSLContext dsl) {
        return new JooqQuotaRepository(dsl);
    }

    @Singleton
    QuotaLedger quotaLedger(Clock clock) {
        return new QuotaLedger(clock);
    }

    /**
     * The in-process limit store. {@code sluice.limits.time-scale} (default 1) shortens the rate-limit windows
     * (a minute becomes 60 s × scale) — only for benchmarks and tests that must not wait real minutes.
     */
    @Singleton
    RateLimitStore rateLimitStore(@Value("${sluice.limits.time-scale:1}") double timeScale) {
        if (timeScale <= 0 || timeScale > 1) {
            throw new IllegalArgumentException("sluice.limits.time-scale must be in (0, 1]");
        }
        return new LocalRateLimitStore(Math.max(1, Math.round(60_000 * timeScale)), Math.max(1, Math.round(86_400_000 * timeScale)));
    }

    @Singleton
    Routing routing(BackendHealth health, @Named("proxy") EventLoopGroup loops, TokenCounter tokens, RateLimitStore limits,
                    Clock clock, QuotaLedger quotas,
                    @Value("${sluice.routing.request-deadline:300s}") Duration requestDeadline,
                    @Value("${sluice.routing.backoff-base:100ms}") Duration backoffBase,
                    @Value("${sluice.routing.backoff-max:2s}") Duration backoffMax,
                    @Value("${sluice.queue.max-size:10000}") int queueSize,
                    @Value("${sluice.queue.max-wait:30s}") Duration maxWait,
                    @Value("${sluice.limits.default-output-tokens:512}") int defaultOutputTokens) {
        EventLoopScheduler scheduler = new EventLoopScheduler(loops);
        return new Routing(new BackendSelector(), health, new FailoverPolicy(backoffBase, backoffMax),
                scheduler, requestDeadline, tokens, limits, new AdmissionQueue(queueSize, scheduler, clock), maxWait,
                defaultOutputTokens, quotas);
    }

    @Singleton
    ProxyService proxyService(LiveConfiguration configuration, NettyUpstreamClient upstream, JooqRequestLog requestLog,
                              MeterRegistry meters, Routing routing,
                              @Value("${sluice.auth.api-keys-required:true}") boolean apiKeysRequired) {
        Gauge.builder("sluice.upstream.connections", upstream, NettyUpstreamClient::openConnections)
                .description("open connections to backends").register(meters);
        return new ProxyService(configuration, upstream, new MeteredRequestLog(requestLog, meters),
                new ProxySettings(apiKeysRequired, ProxySettings.DEFAULT_RESPONSE_TAIL_BYTES), routing);
    }

    @Singleton
    ProxyServerSettings proxyServerSettings(
            @Value("${sluice.proxy.host:0.0.0.0}") String host,
            @Value("${sluice.proxy.port:8080}") int port,
            @Value("${sluice.proxy.max-body-bytes:33554432}") int maxBodyBytes,
            @Value("${sluice.proxy.idle-timeout:60s}") Duration idleTimeout) {
        return new ProxyServerSettings(host, port, maxBodyBytes, idleTimeout);
    }

    @Singleton
    ProxyServer proxyServer(@Named("proxy") EventLoopGroup loops, ProxyService service, ProxyServerSettings settings,
                            Readiness readiness) {
        return new ProxyServer(loops, service, settings, readiness::ready);
    }
}
