package dev.sluice.bootstrap;

import dev.sluice.adapters.persistence.JooqRequestLog;
import dev.sluice.application.config.LiveConfiguration;
import dev.sluice.application.queue.AdmissionQueue;
import dev.sluice.application.routing.BackendHealth;
import dev.sluice.application.routing.HealthHistory;
import dev.sluice.application.routing.Routing;
import dev.sluice.domain.backend.Backend;
import dev.sluice.domain.routing.CircuitBreaker;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micronaut.context.annotation.Context;
import io.micronaut.scheduling.annotation.Scheduled;

import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Prometheus gauges for the state behind the request path: the queue, backend health and the
 * request-log buffer. Labels stay bounded (model, backend).
 */
@Context
final class GatewayMetrics {
    private final MeterRegistry registry;
    private final LiveConfiguration configuration;
    private final BackendHealth health;
    private final AdmissionQueue queue;
    private final Set<UUID> backendsRegistered = ConcurrentHashMap.newKeySet();
    private final Set<String> modelsRegistered = ConcurrentHashMap.newKeySet();

    GatewayMetrics(MeterRegistry registry, LiveConfiguration configuration, BackendHealth health, Routing routing,
                   JooqRequestLog requestLog, HealthHistory healthHistory) {
        this.registry = registry;
        this.configuration = configuration;
        this.health = health;
        this.queue = routing.queue();
        Gauge.builder("sluice.queue.waiting", queue, AdmissionQueue::size)
                .description("requests waiting for capacity, all models").register(registry);
        Gauge.builder("sluice.request.log.spilled", requestLog, JooqRequestLog::spilled)
                .description("request-log records in spill files, waiting for the database").register(registry);
        Gauge.builder("sluice.request.log.buffered", requestLog, JooqRequestLog::buffered)
                .description("request-log records in memory, not yet written").register(registry);
        FunctionCounter.builder("sluice.request.log.written", requestLog, JooqRequestLog::written)
                .description("request-log records written to the database").register(registry);
        Gauge.builder("sluice.health.events.pending", healthHistory, HealthHistory::pending)
                .description("backend health events in memory, not yet stored").register(registry);
        FunctionCounter.builder("sluice.health.events.dropped", healthHistory, HealthHistory::dropped)
                .description("backend health events dropped because the database was down too long").register(registry);
        Gauge.builder("sluice.request.log.lag.seconds", requestLog, l -> l.lag(java.time.Instant.now()).toMillis() / 1000.0)
                .description("how long the oldest unwritten request-log record has waited").register(registry);
    }

    /** Registers gauges for backends and queued models that appeared since the last pass. */
    @Scheduled(fixedDelay = "5s", initialDelay = "1s")
    void register() {
        for (Backend backend : configuration.current().backends()) {
            if (backendsRegistered.add(backend.id())) {
                UUID id = backend.id();
                Gauge.builder("sluice.backend.up", health, h -> up(h.health(id)))
                        .description("1 when the backend takes requests (circuit closed), 0.5 half-open, 0 open or cooling down")
                        .tag("backend", backend.name()).register(registry);
            }
        }
        for (AdmissionQueue.LineStats line : queue.stats()) {
            if (modelsRegistered.add(line.model())) {
                String model = line.model();
                Gauge.builder("sluice.queue.model.waiting", queue, q -> stat(q, model, AdmissionQueue.LineStats::waiting))
                        .tag("model", model).register(registry);
                Gauge.builder("sluice.queue.model.oldest.wait.ms", queue, q -> stat(q, model, AdmissionQueue.LineStats::oldestWaitMillis))
                        .tag("model", model).register(registry);
                FunctionCounter.builder("sluice.queue.model.admitted", queue, q -> stat(q, model, AdmissionQueue.LineStats::admitted))
                        .tag("model", model).register(registry);
                FunctionCounter.builder("sluice.queue.model.timed.out", queue, q -> stat(q, model, AdmissionQueue.LineStats::timedOut))
                        .tag("model", model).register(registry);
            }
        }
    }

    private static double up(CircuitBreaker.Health h) {
        if (!h.available()) {
            return 0;
        }
        return h.state() == CircuitBreaker.State.HALF_OPEN ? 0.5 : 1;
    }

    private static double stat(AdmissionQueue q, String model, java.util.function.ToDoubleFunction<AdmissionQueue.LineStats> f) {
        return q.stats().stream().filter(s -> s.model().equals(model)).mapToDouble(f).findFirst().orElse(0);
    }
}
