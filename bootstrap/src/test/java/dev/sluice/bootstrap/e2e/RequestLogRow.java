package dev.sluice.bootstrap.e2e;

import org.jooq.Record;

import java.util.UUID;

/** One row of the {@code request_log} table, read with plain SQL; token columns stay null when not reported. */
record RequestLogRow(
        String requestId,
        String endpoint,
        UUID appId,
        String appName,
        String model,
        UUID backendId,
        String backendName,
        int status,
        String errorType,
        long latencyUs,
        Long ttftUs,
        Integer promptTokens,
        Integer completionTokens,
        Integer totalTokens,
        boolean stream,
        boolean clientAborted) {

    static RequestLogRow of(Record r) {
        return new RequestLogRow(
                r.get("request_id", String.class),
                r.get("endpoint", String.class),
                r.get("app_id", UUID.class),
                r.get("app_name", String.class),
                r.get("model", String.class),
                r.get("backend_id", UUID.class),
                r.get("backend_name", String.class),
                r.get("status", Integer.class),
                r.get("error_type", String.class),
                r.get("latency_us", Long.class),
                r.get("ttft_us", Long.class),
                r.get("prompt_tokens", Integer.class),
                r.get("completion_tokens", Integer.class),
                r.get("total_tokens", Integer.class),
                r.get("stream", Boolean.class),
                r.get("client_aborted", Boolean.class));
    }
}
