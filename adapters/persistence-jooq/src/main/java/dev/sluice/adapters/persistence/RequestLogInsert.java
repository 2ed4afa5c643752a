package dev.sluice.adapters.persistence;

import dev.sluice.domain.usage.RequestRecord;
import org.jooq.DSLContext;
import org.jooq.Field;
import org.jooq.JSONB;
import org.jooq.Param;
import org.jooq.Row;

import java.sql.Array;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.List;

import static dev.sluice.db.jooq.Tables.REQUEST_LOG;

/**
 * The request log's batch insert as one prepared statement over column arrays:
 * {@code INSERT … SELECT … FROM unnest(?, ?, …) ON CONFLICT DO NOTHING RETURNING request_id}.
 * Rendering a 1 000-row insert with 22 bind values a row through the query DSL took most of the
 * writer's time; this statement's text is built once from the generated columns and only the 22
 * arrays change. Idempotent like before: a row already stored (same request id and start) is skipped.
 */
final class RequestLogInsert {
    /** The inserted columns, in the order of {@link RequestLogRows#toRow}, with their PostgreSQL types. */
    private static final List<Field<?>> COLUMNS = List.of(
            REQUEST_LOG.REQUEST_ID, REQUEST_LOG.STARTED_AT, REQUEST_LOG.ENDPOINT,
            REQUEST_LOG.APP_ID, REQUEST_LOG.APP_NAME, REQUEST_LOG.MODEL,
            REQUEST_LOG.BACKEND_ID, REQUEST_LOG.BACKEND_NAME, REQUEST_LOG.STATUS,
            REQUEST_LOG.ERROR_TYPE, REQUEST_LOG.LATENCY_US, REQUEST_LOG.TTFT_US,
            REQUEST_LOG.PROMPT_TOKENS, REQUEST_LOG.COMPLETION_TOKENS, REQUEST_LOG.TOTAL_TOKENS,
            REQUEST_LOG.STREAM, REQUEST_LOG.CLIENT_ABORTED, REQUEST_LOG.ATTEMPT_COUNT, REQUEST_LOG.ATTEMPTS,
            REQUEST_LOG.KEY_ID, REQUEST_LOG.QUEUE_WAIT_US, REQUEST_LOG.USAGE_ESTIMATED);
    private static final List<String> TYPES = List.of(
            "varchar", "timestamptz", "varchar",
            "uuid", "varchar", "varchar",
            "uuid", "varchar", "int4",
            "varchar", "int8", "int8",
            "int4", "int4", "int4",
            "bool", "bool", "int4", "jsonb",
            "uuid", "int8", "bool");
    private static final String SQL = sql();

    private RequestLogInsert() {
    }

    /** Inserts the batch in the current transaction; returns the request ids of the rows actually inserted. */
    static List<String> insert(DSLContext tx, List<RequestRecord> batch) {
        int n = COLUMNS.size();
        String[][] columns = new String[n][batch.size()];
        for (int row = 0; row < batch.size(); row++) {
            Row values = RequestLogRows.toRow(batch.get(row));
            for (int col = 0; col < n; col++) {
                Object v = ((Param<?>) values.field(col)).getValue();
                columns[col][row] = v == null ? null : v instanceof JSONB json ? json.data() : v.toString();
            }
        }
        return tx.connectionResult(c -> {
            try (PreparedStatement ps = c.prepareStatement(SQL)) {
                List<Array> arrays = new ArrayList<>(n);
                for (int col = 0; col < n; col++) {
                    Array array = c.createArrayOf("text", columns[col]);
                    arrays.add(array);
                    ps.setArray(col + 1, array);
                }
                List<String> inserted = new ArrayList<>(batch.size());
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        inserted.add(rs.getString(1));
                    }
                }
                for (Array array : arrays) {
                    array.free();
                }
                return inserted;
            }
        });
    }

    private static String sql() {
        StringBuilder names = new StringBuilder();
        StringBuilder selects = new StringBuilder();
        StringBuilder params = new StringBuilder();
        StringBuilder aliases = new StringBuilder();
        for (int i = 0; i < COLUMNS.size(); i++) {
            if (i > 0) {
                names.append(", ");
                selects.append(", ");
                params.append(", ");
                aliases.append(", ");
            }
            names.append('"').append(COLUMNS.get(i).getName()).append('"');
            selects.append("c").append(i).append("::").append(TYPES.get(i));
            params.append("?::text[]");
            aliases.append("c").append(i);
        }
        return "insert into \"" + REQUEST_LOG.getName() + "\" (" + names + ") select " + selects
                + " from unnest(" + params + ") as u(" + aliases + ") on conflict (\""
                + REQUEST_LOG.REQUEST_ID.getName() + "\", \"" + REQUEST_LOG.STARTED_AT.getName()
                + "\") do nothing returning \"" + REQUEST_LOG.REQUEST_ID.getName() + "\"";
    }
}
