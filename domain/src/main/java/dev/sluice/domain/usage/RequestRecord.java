package dev.sluice.domain.usage;

import dev.sluice.domain.openai.Endpoint;
import dev.sluice.domain.openai.Usage;

import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.UUID;

/**
 * What the gateway knows about one finished request, for the request log. Usage the backend did
 * not report is empty, never zero.
 */
public record RequestRecord(
        String requestId,
        Instant startedAt,
        Endpoint endpoint,
        Optional<UUID> appId,
        Optional<String> appName,
        Optional<String> model,
        Optional<UUID> backendId,
        Optional<String> backendName,
        int status,
        Optional<String> errorType,
        long latencyMicros,
        OptionalLong timeToFirstTokenMicros,
        Optional<Usage> usage,
        boolean stream,
        boolean clientAborted,
        List<AttemptRecord> attempts,
        Optional<UUID> keyId,
        OptionalLong queueWaitMicros,
        boolean usageEstimated) {

    public RequestRecord {
        Objects.requireNonNull(requestId, "requestId");
        Objects.requireNonNull(startedAt, "startedAt");
        Objects.requireNonNull(endpoint, "endpoint");
        attempts = attempts == null ? List.of() : List.copyOf(attempts);
        keyId = keyId == null ? Optional.empty() : keyId;
        queueWaitMicros = queueWaitMicros == null ? OptionalLong.empty() : queueWaitMicros;
    }

    /** A record without key, queue wait or estimate flag (usage, when present, was reported by the backend). */
    public RequestRecord(String requestId, Instant startedAt, Endpoint endpoint, Optional<UUID> appId,
                         Optional<String> appName, Optional<String> model, Optional<UUID> backendId,
                         Optional<String> backendName, int status, Optional<String> errorType, long latencyMicros,
                         OptionalLong timeToFirstTokenMicros, Optional<Usage> usage, boolean stream, boolean clientAborted,
                         List<AttemptRecord> attempts) {
        this(requestId, startedAt, endpoint, appId, appName, model, backendId, backendName, status, errorType,
                latencyMicros, timeToFirstTokenMicros, usage, stream, clientAborted, attempts, Optional.empty(),
                OptionalLong.empty(), false);
    }

    /** A request that made no backend attempt, or whose attempts are not tracked. */
    public RequestRecord(String requestId, Instant startedAt, Endpoint endpoint, Optional<UUID> appId,
                         Optional<String> appName, Optional<String> model, Optional<UUID> backendId,
                         Optional<String> backendName, int status, Optional<String> errorType, long latencyMicros,
                         OptionalLong timeToFirstTokenMicros, Optional<Usage> usage, boolean stream, boolean clientAborted) {
        this(requestId, startedAt, endpoint, appId, appName, model, backendId, backendName, status, errorType,
                latencyMicros, timeToFirstTokenMicros, usage, stream, clientAborted, List.of());
    }
}
