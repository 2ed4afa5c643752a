package dev.sluice.adapters.persistence;

import dev.sluice.domain.openai.Usage;
import dev.sluice.domain.usage.RequestRecord;
import org.jooq.DSLContext;
import org.jooq.InsertValuesStep9;
import dev.sluice.db.jooq.tables.records.UsageMinuteRecord;

import java.time.OffsetDateTime;
import java.time.temporal.ChronoUnit;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static dev.sluice.db.jooq.Tables.REQUEST_LOG;
import static dev.sluice.db.jooq.Tables.USAGE_MINUTE;
import static org.jooq.impl.DSL.excluded;

/** Folds request records into the per-minute usage aggregates (backend × app × model × minute). */
final class UsageAggregates {
    private UsageAggregates() {
    }

    private record Key(OffsetDateTime bucket, String backend, String app, String model) {
    }

    private static final class Sums {
        long requests;
        long errors;
        long prompt;
        long completion;
        long total;
    }

    static void upsert(DSLContext tx, List<RequestRecord> records) {
        if (records.isEmpty()) {
            return;
        }
        Map<Key, Sums> sums = new HashMap<>();
        for (RequestRecord r : records) {
            OffsetDateTime bucket = Timestamps.toColumn(r.startedAt()).truncatedTo(ChronoUnit.MINUTES);
            Key key = new Key(bucket,
                    nonNull(RequestLogRows.text(REQUEST_LOG.BACKEND_NAME, r.backendName().orElse(null))),
                    nonNull(RequestLogRows.text(REQUEST_LOG.APP_NAME, r.appName().orElse(null))),
                    nonNull(RequestLogRows.text(REQUEST_LOG.MODEL, r.model().orElse(null))));
            Sums s = sums.computeIfAbsent(key, k -> new Sums());
            s.requests++;
            if (r.status() >= 400) {
                s.errors++;
            }
            if (r.usage() != null && r.usage().isPresent()) {
                Usage u = r.usage().get();
                s.prompt += u.promptTokens();
                s.completion += u.completionTokens();
                s.total += u.totalTokens();
            }
        }
        InsertValuesStep9<UsageMinuteRecord, OffsetDateTime, String, String, String, Long, Long, Long, Long, Long> insert =
                tx.insertInto(USAGE_MINUTE, USAGE_MINUTE.BUCKET, USAGE_MINUTE.BACKEND_NAME, USAGE_MINUTE.APP_NAME,
                        USAGE_MINUTE.MODEL, USAGE_MINUTE.REQUESTS, USAGE_MINUTE.ERRORS, USAGE_MINUTE.PROMPT_TOKENS,
                        USAGE_MINUTE.COMPLETION_TOKENS, USAGE_MINUTE.TOTAL_TOKENS);
        for (Map.Entry<Key, Sums> e : sums.entrySet()) {
            Key k = e.getKey();
            Sums s = e.getValue();
            insert = insert.values(k.bucket(), k.backend(), k.app(), k.model(), s.requests, s.errors, s.prompt, s.completion, s.total);
        }
        insert.onConflict(USAGE_MINUTE.BUCKET, USAGE_MINUTE.BACKEND_NAME, USAGE_MINUTE.APP_NAME, USAGE_MINUTE.MODEL)
                .doUpdate()
                .set(USAGE_MINUTE.REQUESTS, USAGE_MINUTE.REQUESTS.plus(excluded(USAGE_MINUTE.REQUESTS)))
                .set(USAGE_MINUTE.ERRORS, USAGE_MINUTE.ERRORS.plus(excluded(USAGE_MINUTE.ERRORS)))
                .set(USAGE_MINUTE.PROMPT_TOKENS, USAGE_MINUTE.PROMPT_TOKENS.plus(excluded(USAGE_MINUTE.PROMPT_TOKENS)))
                .set(USAGE_MINUTE.COMPLETION_TOKENS, USAGE_MINUTE.COMPLETION_TOKENS.plus(excluded(USAGE_MINUTE.COMPLETION_TOKENS)))
                .set(USAGE_MINUTE.TOTAL_TOKENS, USAGE_MINUTE.TOTAL_TOKENS.plus(excluded(USAGE_MINUTE.TOTAL_TOKENS)))
                .execute();
    }

    private static String nonNull(String value) {
        return value == null ? "" : value;
    }
}
