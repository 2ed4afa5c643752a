package dev.sluice.adapters.persistence;

import dev.sluice.domain.openai.Usage;
import dev.sluice.domain.openai.JsonScanner;
import dev.sluice.domain.usage.AttemptRecord;
import dev.sluice.domain.usage.RequestRecord;
import org.jooq.Field;
import org.jooq.JSONB;
import org.jooq.Row22;
import org.jooq.impl.DSL;

import java.time.OffsetDateTime;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.UUID;
import java.util.function.Function;

import static dev.sluice.db.jooq.Tables.REQUEST_LOG;

/**
 * Maps a finished request to a {@code request_log} row. It must not throw for any record: text
 * that PostgreSQL would refuse (too long for its column, or holding NUL) is trimmed, because one
 * refused row would otherwise block every batch behind it.
 */
final class RequestLogRows {
    private RequestLogRows() {
    }

    static Row22<String, OffsetDateTime, String, UUID, String, String, UUID, String, Integer, String, Long, Long,
            Integer, Integer, Integer, Boolean, Boolean, Integer, JSONB, UUID, Long, Boolean> toRow(RequestRecord r) {
        Optional<Usage> usage = r.usage() == null ? Optional.empty() : r.usage();
        OptionalLong ttft = r.timeToFirstTokenMicros();
        return DSL.row(
                text(REQUEST_LOG.REQUEST_ID, r.requestId()),
                Timestamps.toColumn(r.startedAt()),
                text(REQUEST_LOG.ENDPOINT, r.endpoint().name()),
                orNull(r.appId()),
                text(REQUEST_LOG.APP_NAME, orNull(r.appName())),
                text(REQUEST_LOG.MODEL, orNull(r.model())),
                orNull(r.backendId()),
                text(REQUEST_LOG.BACKEND_NAME, orNull(r.backendName())),
                r.status(),
                text(REQUEST_LOG.ERROR_TYPE, orNull(r.errorType())),
                r.latencyMicros(),
                ttft == null || ttft.isEmpty() ? null : ttft.getAsLong(),
                tokens(usage, Usage::promptTokens),
                tokens(usage, Usage::completionTokens),
                tokens(usage, Usage::totalTokens),
                r.stream(),
                r.clientAborted(),
                r.attempts().size(),
                attempts(r.attempts()),
                orNull(r.keyId()),
                r.queueWaitMicros() == null || r.queueWaitMicros().isEmpty() ? null : r.queueWaitMicros().getAsLong(),
                r.usageEstimated());
    }

    /** The attempts as a JSON array: number, backend, HTTP status or error kind, latency. */
    static JSONB attempts(List<AttemptRecord> attempts) {
        StringBuilder json = new StringBuilder(2 + attempts.size() * 120).append('[');
        for (int i = 0; i < attempts.size(); i++) {
            AttemptRecord a = attempts.get(i);
            if (i > 0) {
                json.append(',');
            }
            json.append("{\"n\":").append(a.number())
                    .append(",\"backendId\":\"").append(a.backendId()).append('"')
                    .append(",\"backend\":").append(JsonScanner.quote(text(REQUEST_LOG.BACKEND_NAME, a.backendName())))
                    .append(",\"status\":").append(a.status().isPresent() ? Integer.toString(a.status().getAsInt()) : "null")
                    .append(",\"error\":").append(a.error().map(e -> JsonScanner.quote(text(REQUEST_LOG.ERROR_TYPE, e))).orElse("null"))
                    .append(",\"latencyUs\":").append(a.latencyMicros())
                    .append('}');
        }
        return JSONB.valueOf(json.append(']').toString());
    }

    /** Usage the backend did not report stays NULL, never 0. */
    private static Integer tokens(Optional<Usage> usage, Function<Usage, Integer> count) {
        return usage.map(count).orElse(null);
    }

    private static <T> T orNull(Optional<T> value) {
        return value == null ? null : value.orElse(null);
    }

    static String text(Field<String> column, String value) {
        if (value == null) {
            return null;
        }
        String clean = value.indexOf('\0') >= 0 ? value.replace("\0", "") : value;
        int max = column.getDataType().length();
        if (max > 0 && clean.length() > max && clean.codePointCount(0, clean.length()) > max) {
            clean = clean.substring(0, clean.offsetByCodePoints(0, max));
        }
        return clean;
    }
}
