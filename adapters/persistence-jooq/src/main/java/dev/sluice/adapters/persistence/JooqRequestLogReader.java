package dev.sluice.adapters.persistence;

import dev.sluice.application.port.RequestLogReader;
import dev.sluice.domain.openai.Endpoint;
import dev.sluice.domain.openai.JsonScanner;
import dev.sluice.domain.openai.MalformedJsonException;
import dev.sluice.domain.openai.Usage;
import dev.sluice.domain.usage.AttemptRecord;
import dev.sluice.domain.usage.RequestRecord;
import dev.sluice.db.jooq.tables.records.RequestLogRecord;
import org.jooq.DSLContext;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.UUID;

import static dev.sluice.db.jooq.Tables.REQUEST_LOG;

/** Reads one request back from the request log, with its attempts. */
public final class JooqRequestLogReader implements RequestLogReader {
    private final DSLContext dsl;

    public JooqRequestLogReader(DSLContext dsl) {
        this.dsl = Objects.requireNonNull(dsl, "dsl");
    }

    @Override
    public Optional<RequestRecord> find(String requestId) {
        return dsl.transactionResult(cfg -> cfg.dsl().selectFrom(REQUEST_LOG)
                .where(REQUEST_LOG.REQUEST_ID.eq(requestId))
                // the key is (request_id, started_at) since V6: take the first should an id ever be stored twice
                .orderBy(REQUEST_LOG.STARTED_AT)
                .limit(1)
                .fetchOptional()
                .map(JooqRequestLogReader::toRecord));
    }

    static RequestRecord toRecord(RequestLogRecord r) {
        Optional<Usage> usage = r.getPromptTokens() == null && r.getTotalTokens() == null
                ? Optional.empty()
                : Optional.of(new Usage(orZero(r.getPromptTokens()), orZero(r.getCompletionTokens()), orZero(r.getTotalTokens())));
        return new RequestRecord(r.getRequestId(), r.getStartedAt().toInstant(), Endpoint.valueOf(r.getEndpoint()),
                Optional.ofNullable(r.getAppId()), Optional.ofNullable(r.getAppName()), Optional.ofNullable(r.getModel()),
                Optional.ofNullable(r.getBackendId()), Optional.ofNullable(r.getBackendName()), r.getStatus(),
                Optional.ofNullable(r.getErrorType()), r.getLatencyUs(),
                r.getTtftUs() == null ? OptionalLong.empty() : OptionalLong.of(r.getTtftUs()),
                usage, r.getStream(), r.getClientAborted(), attempts(r.getAttempts() == null ? "[]" : r.getAttempts().data()),
                Optional.ofNullable(r.getKeyId()),
                r.getQueueWaitUs() == null ? OptionalLong.empty() : OptionalLong.of(r.getQueueWaitUs()),
                Boolean.TRUE.equals(r.getUsageEstimated()));
    }

    private static int orZero(Integer v) {
        return v == null ? 0 : v;
    }

    /** Parses the attempts column written by {@link RequestLogRows#attempts}. */
    static List<AttemptRecord> attempts(String json) {
        byte[] b = json.getBytes(StandardCharsets.UTF_8);
        List<AttemptRecord> out = new ArrayList<>();
        try {
            JsonScanner.scanArray(b, 0, b.length, (es, ee) -> {
                String[] text = new String[4];
                long[] nums = {0, -1, 0};
                JsonScanner.scanObject(b, es, ee, (ks, ke, vs, ve) -> {
                    String value = new String(b, vs, ve - vs, StandardCharsets.UTF_8);
                    if (JsonScanner.equalsAscii(b, ks, ke, "n")) {
                        nums[0] = Long.parseLong(value);
                    } else if (JsonScanner.equalsAscii(b, ks, ke, "backendId") && b[vs] == '"') {
                        text[0] = JsonScanner.decodeString(b, vs, ve);
                    } else if (JsonScanner.equalsAscii(b, ks, ke, "backend") && b[vs] == '"') {
                        text[1] = JsonScanner.decodeString(b, vs, ve);
                    } else if (JsonScanner.equalsAscii(b, ks, ke, "status") && b[vs] != 'n') {
                        nums[1] = Long.parseLong(value);
                    } else if (JsonScanner.equalsAscii(b, ks, ke, "error") && b[vs] == '"') {
                        text[2] = JsonScanner.decodeString(b, vs, ve);
                    } else if (JsonScanner.equalsAscii(b, ks, ke, "latencyUs")) {
                        nums[2] = Long.parseLong(value);
                    }
                });
                out.add(new AttemptRecord((int) nums[0], text[0] == null ? null : UUID.fromString(text[0]), text[1],
                        nums[1] < 0 ? OptionalInt.empty() : OptionalInt.of((int) nums[1]), Optional.ofNullable(text[2]), nums[2]));
            });
        } catch (MalformedJsonException | RuntimeException e) {
            return List.of();
        }
        return out;
    }
}
