package dev.sluice.bootstrap;

import dev.sluice.adapters.edge.proxy.ProxyServer;
import dev.sluice.adapters.persistence.JooqRequestLog;
import dev.sluice.adapters.persistence.PostgresConfigChannel;
import dev.sluice.adapters.persistence.RequestLogPartitions;
import dev.sluice.application.config.ConfigSnapshot;
import dev.sluice.application.config.LiveConfiguration;
import dev.sluice.application.port.QuotaRepository;
import dev.sluice.application.quota.QuotaLedger;
import dev.sluice.application.routing.HealthCheckService;
import dev.sluice.application.routing.HealthHistory;
import io.micronaut.context.annotation.Value;
import io.micronaut.context.annotation.Context;
import io.micronaut.context.event.ApplicationEventListener;
import io.micronaut.runtime.server.event.ServerStartupEvent;
import io.micronaut.scheduling.annotation.Scheduled;
import io.netty.channel.EventLoopGroup;
import jakarta.annotation.PreDestroy;
import jakarta.inject.Named;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * Starts the proxy port once the admin server is up and the configuration is loaded, refreshes
 * the configuration snapshot periodically (changes made by other instances), and stops in order:
 * proxy port, then the request log's last flush, then the event loops.
 */
@Context
final class GatewayLifecycle implements ApplicationEventListener<ServerStartupEvent> {
    private static final Logger LOG = LoggerFactory.getLogger(GatewayLifecycle.class);

    private final LiveConfiguration configuration;
    private final ProxyServer proxyServer;
    private final JooqRequestLog requestLog;
    private final EventLoopGroup loops;
    private final HealthCheckService healthChecks;
    private final QuotaLedger quotas;
    private final QuotaRepository quotaRepository;
    private final RequestLogPartitions partitions;
    private final HealthHistory healthHistory;
    private final Duration healthRetention;
    private final Clock clock;
    private final Optional<PostgresConfigChannel> configChannel;

    GatewayLifecycle(LiveConfiguration configuration, ProxyServer proxyServer, JooqRequestLog requestLog,
                     @Named("proxy") EventLoopGroup loops, HealthCheckService healthChecks, QuotaLedger quotas,
                     QuotaRepository quotaRepository, RequestLogPartitions partitions, HealthHistory healthHistory,
                     @Value("${sluice.health.history.retention:30d}") Duration healthRetention, Clock clock,
                     Optional<PostgresConfigChannel> configChannel) {
        this.configuration = configuration;
        this.proxyServer = proxyServer;
        this.requestLog = requestLog;
        this.loops = loops;
        this.healthChecks = healthChecks;
        this.quotas = quotas;
        this.quotaRepository = quotaRepository;
        this.partitions = partitions;
        this.healthHistory = healthHistory;
        this.healthRetention = healthRetention;
        this.clock = clock;
        this.configChannel = configChannel;
    }

    @Override
    public void onApplicationEvent(ServerStartupEvent event) {
        ConfigSnapshot snapshot = configuration.reload();
        quotas.load(quotaRepository);
        configChannel.ifPresent(PostgresConfigChannel::start);
        proxyServer.start();
        LOG.info("Sluice is up: proxy port {}, admin port {} ({} model(s) routable)",
                proxyServer.port(), event.getSource().getPort(), snapshot.routing().models().size());
    }

    @Scheduled(fixedDelay = "${sluice.config.refresh-interval:5s}", initialDelay = "${sluice.config.refresh-interval:5s}")
    void refresh() {
        try {
            configuration.reload();
        } catch (RuntimeException e) {
            LOG.warn("Configuration refresh failed; keeping the current snapshot: {}", e.toString());
        }
    }

    @Scheduled(fixedDelay = "1s", initialDelay = "1s")
    void healthChecks() {
        try {
            healthChecks.runDueChecks();
        } catch (RuntimeException e) {
            LOG.warn("Starting health checks failed: {}", e.toString());
        }
    }

    /** Request-log partitions: the coming days created, expired days dropped (hourly, and once at start). */
    @Scheduled(fixedDelay = "1h", initialDelay = "5s")
    void maintainPartitions() {
        partitions.maintain(clock.instant());
    }

    /** Quota counters go to the database every second, so a restart does not reset a quota. */
    @Scheduled(fixedDelay = "1s", initialDelay = "1s")
    void storeQuotas() {
        try {
            quotas.store(quotaRepository);
        } catch (RuntimeException e) {
            LOG.warn("Storing quota counters failed; retrying in a second: {}", e.toString());
        }
    }

    /** Backends' health events go to the database every second. */
    @Scheduled(fixedDelay = "1s", initialDelay = "1s")
    void storeHealthEvents() {
        try {
            healthHistory.flush();
        } catch (RuntimeException e) {
            LOG.warn("Storing {} backend health event(s) failed; retrying in a second: {}", healthHistory.pending(), e.toString());
        }
    }

    /** Health events older than {@code sluice.health.history.retention} (default 30 days) are deleted hourly. */
    @Scheduled(fixedDelay = "1h", initialDelay = "30s")
    void forgetOldHealthEvents() {
        try {
            int deleted = healthHistory.forgetBefore(clock.instant().minus(healthRetention));
            if (deleted > 0) {
                LOG.info("Deleted {} backend health event(s) older than {}", deleted, healthRetention);
            }
        } catch (RuntimeException e) {
            LOG.warn("Deleting old backend health events failed; trying again in an hour: {}", e.toString());
        }
    }

    @PreDestroy
    void stop() {
        configChannel.ifPresent(PostgresConfigChannel::close);
        proxyServer.close();
        storeQuotas();
        storeHealthEvents();
        requestLog.close();
        loops.shutdownGracefully(0, 5, TimeUnit.SECONDS).awaitUninterruptibly(6, TimeUnit.SECONDS);
        LOG.info("Sluice stopped");
    }
}
