package dev.sluice.adapters.persistence;

import dev.sluice.domain.openai.Endpoint;
import dev.sluice.domain.openai.Usage;
import dev.sluice.domain.usage.RequestRecord;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.UUID;

/** Finished requests for tests: a successful, non-streamed chat completion unless told otherwise. */
final class RequestRecordTestData {
    private String requestId = UUID.randomUUID().toString();
    // PostgreSQL keeps microseconds
    private Instant startedAt = Instant.now().truncatedTo(ChronoUnit.MICROS);
    private Endpoint endpoint = Endpoint.CHAT_COMPLETIONS;
    private Optional<UUID> appId = Optional.of(UUID.randomUUID());
    private Optional<String> appName = Optional.of("test-app");
    private Optional<String> model = Optional.of("gpt-4o");
    private Optional<UUID> backendId = Optional.of(UUID.randomUUID());
    private Optional<String> backendName = Optional.of("test-backend");
    private int status = 200;
    private Optional<String> errorType = Optional.empty();
    private long latencyMicros = 12_345;
    private OptionalLong ttftMicros = OptionalLong.empty();
    private Optional<Usage> usage = Optional.of(new Usage(10, 20, 30));
    private boolean stream;
    private boolean clientAborted;

    private RequestRecordTestData() {
    }

    static RequestRecordTestData aRequestRecord() {
        return new RequestRecordTestData();
    }

    RequestRecordTestData withRequestId(String requestId) {
        this.requestId = requestId;
        return this;
    }

    RequestRecordTestData withStartedAt(Instant startedAt) {
        this.startedAt = startedAt;
        return this;
    }

    RequestRecordTestData withModel(String model) {
        this.model = Optional.of(model);
        return this;
    }

    RequestRecordTestData withAppName(String appName) {
        this.appName = Optional.of(appName);
        return this;
    }

    RequestRecordTestData withBackendName(String backendName) {
        this.backendName = Optional.of(backendName);
        return this;
    }

    RequestRecordTestData withLatencyMicros(long latencyMicros) {
        this.latencyMicros = latencyMicros;
        return this;
    }

    RequestRecordTestData withUsage(int prompt, int completion, int total) {
        this.usage = Optional.of(new Usage(prompt, completion, total));
        return this;
    }

    RequestRecordTestData withoutUsage() {
        this.usage = Optional.empty();
        return this;
    }

    RequestRecordTestData failedWith(int status, String errorType) {
        this.status = status;
        this.errorType = Optional.of(errorType);
        return this;
    }

    RequestRecordTestData streamed(long ttftMicros) {
        this.stream = true;
        this.ttftMicros = OptionalLong.of(ttftMicros);
        return this;
    }

    RequestRecordTestData abortedByClient() {
        this.clientAborted = true;
        return this;
    }

    RequestRecordTestData withoutAppOrBackend() {
        this.appId = Optional.empty();
        this.appName = Optional.empty();
        this.backendId = Optional.empty();
        this.backendName = Optional.empty();
        return this;
    }

    RequestRecord build() {
        return new RequestRecord(requestId, startedAt, endpoint, appId, appName, model, backendId, backendName, status,
                errorType, latencyMicros, ttftMicros, usage, stream, clientAborted);
    }
}
