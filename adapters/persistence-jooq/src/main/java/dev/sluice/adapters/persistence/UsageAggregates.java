package dev.sluice.adapters.persistence;

import dev.sluice.domain.openai.Usage;
import dev.sluice.domain.usage.RequestRecord;
import org.jooq.DSLContext;
import org.jooq.Field;
import org.jooq.Table;

import java.time.OffsetDateTime;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static dev.sluice.db.jooq.Tables.REQUEST_LOG;
import static dev.sluice.db.jooq.Tables.USAGE_DAY;
import static dev.sluice.db.jooq.Tables.USAGE_HOUR;
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
        upsertInto(tx, USAGE_MINUTE, sums);
        upsertInto(tx, USAGE_HOUR, rolledUp(sums, ChronoUnit.HOURS));
        upsertInto(tx, USAGE_DAY, rolledUp(sums, ChronoUnit.DAYS));
    }

    /** The minute sums added up per hour or per day (UTC). */
    private static Map<Key, Sums> rolledUp(Map<Key, Sums> minutes, ChronoUnit unit) {
        Map<Key, Sums> out = new HashMap<>();
        minutes.forEach((k, v) -> {
            Sums s = out.computeIfAbsent(new Key(k.bucket().truncatedTo(unit), k.backend(), k.app(), k.model()), x -> new Sums());
            s.requests += v.requests;
            s.errors += v.errors;
            s.prompt += v.prompt;
            s.completion += v.completion;
            s.total += v.total;
        });
        return out;
    }

    /** Adds the sums to a usage table (minute, hour or day: identical columns), creating missing rows. */
    private static void upsertInto(DSLContext tx, Table<?> table, Map<Key, Sums> sums) {
        Field<OffsetDateTime> bucket = column(table, USAGE_MINUTE.BUCKET);
        Field<String> backend = column(table, USAGE_MINUTE.BACKEND_NAME);
        Field<String> app = column(table, USAGE_MINUTE.APP_NAME);
        Field<String> model = column(table, USAGE_MINUTE.MODEL);
        List<Field<Long>> counts = List.of(column(table, USAGE_MINUTE.REQUESTS), column(table, USAGE_MINUTE.ERRORS),
                column(table, USAGE_MINUTE.PROMPT_TOKENS), column(table, USAGE_MINUTE.COMPLETION_TOKENS),
                column(table, USAGE_MINUTE.TOTAL_TOKENS));
        List<Field<?>> fields = new ArrayList<>(List.of(bucket, backend, app, model));
        fields.addAll(counts);
        var insert = tx.insertInto(table, fields);
        for (Map.Entry<Key, Sums> e : sums.entrySet()) {
            Key k = e.getKey();
            Sums v = e.getValue();
            insert = insert.values(k.bucket(), k.backend(), k.app(), k.model(), v.requests, v.errors, v.prompt, v.completion, v.total);
        }
        Map<Field<?>, Object> add = new LinkedHashMap<>();
        for (Field<Long> count : counts) {
            add.put(count, count.plus(excluded(count)));
        }
        insert.onConflict(bucket, backend, app, model).doUpdate().set(add).execute();
    }

    /** The same column in the hour or day table (the three usage tables have identical columns). */
    static <T> Field<T> column(Table<?> table, Field<T> minuteColumn) {
        return table.field(minuteColumn.getName(), minuteColumn.getType());
    }

    private static String nonNull(String value) {
        return value == null ? "" : value;
    }
}
