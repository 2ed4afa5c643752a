package dev.sluice.bootstrap;

import dev.sluice.adapters.persistence.JooqRequestLog;
import dev.sluice.application.port.RequestLog;
import dev.sluice.domain.usage.RequestRecord;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

import java.time.Duration;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * Counts every finished request in Prometheus metrics, then hands it to the request log.
 * Labels are bounded: endpoint, backend, model and status class — never request ids or apps' raw input.
 */
final class MeteredRequestLog implements RequestLog {
    private final RequestLog delegate;
    private final MeterRegistry registry;
    private final ConcurrentHashMap<Key, Meters> meters = new ConcurrentHashMap<>();
    private final Timer queueWait;

    MeteredRequestLog(JooqRequestLog delegate, MeterRegistry registry) {
        this.delegate = delegate;
        this.registry = registry;
        this.queueWait = Timer.builder("sluice.queue.wait").description("time requests waited in the queue for capacity")
                .publishPercentileHistogram().maximumExpectedValue(Duration.ofMinutes(5)).register(registry);
        Gauge.builder("sluice.request.log.pending", delegate, JooqRequestLog::pending)
                .description("request-log rows waiting to be written").register(registry);
    }

    @Override
    public void append(RequestRecord record) {
        Key key = new Key(record.endpoint().name().toLowerCase(java.util.Locale.ROOT),
                record.backendName().orElse("none"),
                record.backendName().isPresent() ? record.model().orElse("none") : "none",
                statusClass(record.status()), record.errorType().map(MeteredRequestLog::errorKind).orElse("none"));
        Meters m = meters.computeIfAbsent(key, this::register);
        m.requests.increment();
        m.latency.record(record.latencyMicros(), TimeUnit.MICROSECONDS);
        record.timeToFirstTokenMicros().ifPresent(t -> m.ttft.record(t, TimeUnit.MICROSECONDS));
        record.queueWaitMicros().ifPresent(w -> queueWait.record(w, TimeUnit.MICROSECONDS));
        record.usage().ifPresent(u -> {
            m.promptTokens.record(u.promptTokens());
            m.completionTokens.record(u.completionTokens());
        });
        delegate.append(record);
    }

    private Meters register(Key k) {
        String[] tags = {"endpoint", k.endpoint, "backend", k.backend, "model", k.model, "status", k.status, "error", k.error};
        return new Meters(
                Counter.builder("sluice.requests").description("finished proxy requests").tags(tags).register(registry),
                Timer.builder("sluice.request.latency").description("time from request to the end of the response")
                        .tags(tags).publishPercentileHistogram().maximumExpectedValue(Duration.ofMinutes(5)).register(registry),
                Timer.builder("sluice.request.ttft").description("time to the first byte of the backend's answer")
                        .tags(tags).publishPercentileHistogram().maximumExpectedValue(Duration.ofMinutes(2)).register(registry),
                DistributionSummary.builder("sluice.tokens.prompt").description("prompt tokens reported by backends")
                        .tags(tags).register(registry),
                DistributionSummary.builder("sluice.tokens.completion").description("completion tokens reported by backends")
                        .tags(tags).register(registry));
    }

    private static String statusClass(int status) {
        return status == 499 ? "client_closed" : (status / 100) + "xx";
    }

    private record Key(String endpoint, String backend, String model, String status, String error) {
    }

    /** The error's kind with bounded values (no numbers beyond the status class). */
    private static String errorKind(String errorType) {
        return errorType.startsWith("backend_status_") ? "backend_status" : errorType;
    }

    private record Meters(Counter requests, Timer latency, Timer ttft, DistributionSummary promptTokens,
                          DistributionSummary completionTokens) {
    }
}
