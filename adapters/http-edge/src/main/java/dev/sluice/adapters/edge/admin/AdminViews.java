package dev.sluice.adapters.edge.admin;

import dev.sluice.application.admin.FieldError;
import dev.sluice.application.admin.IssuedKey;
import dev.sluice.application.port.UsageReader;
import dev.sluice.domain.app.ApiKey;
import dev.sluice.domain.app.App;
import dev.sluice.domain.backend.Backend;
import dev.sluice.domain.backend.BackendOptions;
import dev.sluice.domain.backend.HealthCheck;
import dev.sluice.domain.limits.Limits;
import dev.sluice.domain.quota.Quota;
import dev.sluice.domain.app.AppPolicy;
import dev.sluice.domain.routing.CircuitBreaker;
import dev.sluice.domain.routing.HealthEvent;
import dev.sluice.domain.usage.AttemptRecord;
import dev.sluice.domain.usage.RequestRecord;
import dev.sluice.domain.backend.ModelMapping;
import io.micronaut.serde.annotation.Serdeable;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/** The JSON shapes of the admin API. The backend key is only ever shown masked. */
final class AdminViews {
    private AdminViews() {
    }

    @Serdeable
    record ModelView(String name, String upstreamModel) {
        static ModelView of(ModelMapping m) {
            return new ModelView(m.name(), m.upstreamModel());
        }
    }

    @Serdeable
    record HealthCheckView(boolean enabled, String path, long intervalMs, long timeoutMs) {
        static HealthCheckView of(HealthCheck c) {
            return new HealthCheckView(c.enabled(), c.path(), c.interval().toMillis(), c.timeout().toMillis());
        }
    }

    /** A backend's health: CLOSED (healthy), OPEN (out of rotation) or HALF_OPEN (one probe allowed). */
    @Serdeable
    record HealthView(String state, boolean available, String lastError, Instant lastChange, int consecutiveFailures,
                      Instant coolingDownUntil) {
        static HealthView of(CircuitBreaker.Health h) {
            return new HealthView(h.state().name(), h.available(), h.lastError().orElse(null), h.lastChange(),
                    h.consecutiveFailures(), h.coolingDownUntil().orElse(null));
        }
    }

    /** One change of a backend's health. */
    @Serdeable
    record HealthEventView(String kind, Instant at, String reason, Instant until) {
        static HealthEventView of(HealthEvent e) {
            return new HealthEventView(e.kind().name(), e.at(), e.reason().orElse(null), e.until().orElse(null));
        }
    }

    @Serdeable
    record HealthEventList(List<HealthEventView> data) {
    }

    @Serdeable
    record BackendView(UUID id, String name, String baseUrl, String apiKey, int priority, int weight, int timeoutMs,
                       boolean enabled, Map<String, String> headers, List<ModelView> models, int retry,
                       boolean streamSupport, boolean nonStreamSupport, Integer maxContextTokens,
                       HealthCheckView healthCheck, LimitsView limits, Integer maxOutputTokens, QuotaView quota,
                       HealthView health) {
        static BackendView of(Backend b, CircuitBreaker.Health health) {
            BackendOptions o = b.options();
            return new BackendView(b.id(), b.name(), b.baseUrl(), b.apiKey().map(k -> k.masked()).orElse(null),
                    b.priority(), b.weight(), b.timeoutMs(), b.enabled(), b.headers(),
                    b.models().stream().map(ModelView::of).toList(), o.retry(), o.streamSupport(), o.nonStreamSupport(),
                    o.maxContextTokens().isPresent() ? o.maxContextTokens().getAsInt() : null,
                    HealthCheckView.of(o.healthCheck()), LimitsView.of(o.limits()),
                    o.maxOutputTokens().isPresent() ? o.maxOutputTokens().getAsInt() : null,
                    o.quota().map(QuotaView::of).orElse(null), health == null ? null : HealthView.of(health));
        }

        /** The backend's settings only (what the audit log compares), without its live health. */
        static BackendView settings(Backend b) {
            return of(b, null);
        }
    }

    /** Rate limits; null means no limit. */
    @Serdeable
    record LimitsView(Integer rpm, Long tpm, Integer rpd, Long tpr, Integer maxConcurrent) {
        static LimitsView of(Limits l) {
            return new LimitsView(l.rpm().isPresent() ? l.rpm().getAsInt() : null, l.tpm().isPresent() ? l.tpm().getAsLong() : null,
                    l.rpd().isPresent() ? l.rpd().getAsInt() : null, l.tpr().isPresent() ? l.tpr().getAsLong() : null,
                    l.maxConcurrent().isPresent() ? l.maxConcurrent().getAsInt() : null);
        }
    }

    @Serdeable
    record QueueLineView(String model, int waiting, long oldestWaitMs, long admitted, long timedOut, long rejectedFull) {
    }

    @Serdeable
    record QueueView(int waiting, int maxSize, List<QueueLineView> models) {
    }

    @Serdeable
    record AutoModels(List<String> models) {
    }

    @Serdeable
    record AttemptView(int number, UUID backendId, String backend, Integer status, String error, long latencyUs) {
        static AttemptView of(AttemptRecord a) {
            return new AttemptView(a.number(), a.backendId(), a.backendName(),
                    a.status().isPresent() ? a.status().getAsInt() : null, a.error().orElse(null), a.latencyMicros());
        }
    }

    @Serdeable
    record UsageView(int promptTokens, int completionTokens, int totalTokens) {
    }

    @Serdeable
    record RequestPage(List<RequestView> data, String next) {
    }

    @Serdeable
    record UsagePoint(Instant bucket, String backend, String app, String model, long requests, long errors,
                      long promptTokens, long completionTokens, long totalTokens) {
    }

    @Serdeable
    record UsageTotals(long requests, long errors, long promptTokens, long completionTokens, long totalTokens) {
    }

    /** Percentiles in milliseconds; null where no request in the bucket had the figure. */
    @Serdeable
    record LatencyPoint(Instant bucket, long requests, Double latencyP50Ms, Double latencyP95Ms, Double ttftP50Ms,
                        Double ttftP95Ms) {
        static LatencyPoint of(UsageReader.LatencyRow r) {
            return new LatencyPoint(r.bucket(), r.requests(), r.latencyP50Ms().orElse(null),
                    r.latencyP95Ms().orElse(null), r.ttftP50Ms().orElse(null), r.ttftP95Ms().orElse(null));
        }
    }

    @Serdeable
    record LatencySeries(Instant from, Instant to, String bucket, double sampled, List<LatencyPoint> series, LatencyPoint totals) {
    }

    @Serdeable
    /** {@code rowCount}: the rows of the whole range, of which {@code series} holds {@code limit} when one is asked. */
    record UsageSeries(Instant from, Instant to, String bucket, List<String> groupBy, List<UsagePoint> series,
                       UsageTotals totals, int rowCount) {
    }

    @Serdeable
    record RequestView(String requestId, Instant startedAt, String endpoint, UUID appId, String appName, String model,
                       UUID backendId, String backend, int status, String errorType, long latencyUs, Long ttftUs,
                       UsageView usage, boolean usageEstimated, boolean stream, boolean clientAborted,
                       List<AttemptView> attempts, UUID keyId, Long queueWaitUs) {
        static RequestView of(RequestRecord r) {
            return new RequestView(r.requestId(), r.startedAt(), r.endpoint().name().toLowerCase(java.util.Locale.ROOT),
                    r.appId().orElse(null), r.appName().orElse(null), r.model().orElse(null), r.backendId().orElse(null),
                    r.backendName().orElse(null), r.status(), r.errorType().orElse(null), r.latencyMicros(),
                    r.timeToFirstTokenMicros().isPresent() ? r.timeToFirstTokenMicros().getAsLong() : null,
                    r.usage().map(u -> new UsageView(u.promptTokens(), u.completionTokens(), u.totalTokens())).orElse(null),
                    r.usageEstimated(), r.stream(), r.clientAborted(), r.attempts().stream().map(AttemptView::of).toList(),
                    r.keyId().orElse(null), r.queueWaitMicros().isPresent() ? r.queueWaitMicros().getAsLong() : null);
        }
    }

    @Serdeable
    record BackendList(List<BackendView> data) {
    }

    @Serdeable
    record QuotaView(Long requestsPerPeriod, Long tokensPerPeriod, String periodCron, String timeZone) {
        static QuotaView of(Quota q) {
            return new QuotaView(q.requestsPerPeriod().isPresent() ? q.requestsPerPeriod().getAsLong() : null,
                    q.tokensPerPeriod().isPresent() ? q.tokensPerPeriod().getAsLong() : null,
                    q.period().expression(), q.zone().getId());
        }
    }

    /** An app's limits: rate limits, queue settings (max wait, priority class), output cap, quota. */
    @Serdeable
    record AppLimitsView(Integer rpm, Long tpm, Integer maxConcurrent, Double maxWaitSeconds, String priority,
                         Integer maxOutputTokens, QuotaView quota) {
        static AppLimitsView of(AppPolicy p) {
            Limits l = p.limits();
            return new AppLimitsView(l.rpm().isPresent() ? l.rpm().getAsInt() : null, l.tpm().isPresent() ? l.tpm().getAsLong() : null,
                    l.maxConcurrent().isPresent() ? l.maxConcurrent().getAsInt() : null,
                    p.maxWait().map(d -> d.toMillis() / 1000.0).orElse(null), p.priority().name().toLowerCase(java.util.Locale.ROOT),
                    p.maxOutputTokens().isPresent() ? p.maxOutputTokens().getAsInt() : null, p.quota().map(QuotaView::of).orElse(null));
        }
    }

    @Serdeable
    record AppView(UUID id, String name, AppLimitsView limits) {
        static AppView of(App a) {
            return new AppView(a.id(), a.name(), AppLimitsView.of(a.policy()));
        }
    }

    /** Current use of one quota. */
    @Serdeable
    record QuotaUseView(String scope, String type, UUID id, String name, Long requestsPerPeriod, Long tokensPerPeriod,
                        long requestsUsed, long tokensUsed, Instant periodStart, Instant resetsAt, String periodCron,
                        String timeZone) {
    }

    @Serdeable
    record QuotaUseList(List<QuotaUseView> data) {
    }

    @Serdeable
    record AppList(List<AppView> data) {
    }

    @Serdeable
    record KeyView(UUID id, String prefix, Instant createdAt, Instant revokedAt, boolean revoked) {
        static KeyView of(ApiKey k) {
            return new KeyView(k.id(), k.prefix(), k.createdAt(), k.revokedAt().orElse(null), k.revoked());
        }
    }

    @Serdeable
    record KeyList(List<KeyView> data) {
    }

    @Serdeable
    record IssuedKeyView(UUID id, String key, String prefix) {
        static IssuedKeyView of(IssuedKey k) {
            return new IssuedKeyView(k.id(), k.key(), k.prefix());
        }
    }

    @Serdeable
    record ErrorBody(String message, String type, String code, String param) {
    }

    @Serdeable
    record FieldErrorView(String field, String message) {
        static FieldErrorView of(FieldError e) {
            return new FieldErrorView(e.field(), e.message());
        }
    }

    /** {@code {"error":{...},"errors":[{"field","message"}]}}: the OpenAI shape plus every bad field. */
    @Serdeable
    record ErrorResponse(ErrorBody error, List<FieldErrorView> errors) {
        static ErrorResponse of(int status, String code, String message, String param) {
            String type = status == 401 ? "authentication_error" : status >= 500 ? "api_error" : "invalid_request_error";
            return new ErrorResponse(new ErrorBody(message, type, code, param), null);
        }

        static ErrorResponse invalid(List<FieldError> errors) {
            StringBuilder message = new StringBuilder("Invalid fields: ");
            for (int i = 0; i < errors.size(); i++) {
                if (i > 0) {
                    message.append("; ");
                }
                message.append(errors.get(i).field()).append(' ').append(errors.get(i).message());
            }
            return new ErrorResponse(new ErrorBody(message.toString(), "invalid_request_error", "validation_failed",
                    errors.getFirst().field()), errors.stream().map(FieldErrorView::of).toList());
        }
    }
}
