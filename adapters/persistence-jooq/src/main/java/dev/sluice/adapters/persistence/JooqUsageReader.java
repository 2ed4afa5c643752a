package dev.sluice.adapters.persistence;

import dev.sluice.application.port.UsageReader;
import dev.sluice.domain.usage.RequestRecord;
import org.jooq.Condition;
import org.jooq.Cursor;
import org.jooq.DSLContext;
import org.jooq.Field;
import org.jooq.GroupField;
import org.jooq.Record;
import org.jooq.Select;
import org.jooq.SelectField;
import org.jooq.SortField;
import org.jooq.Table;
import org.jooq.impl.DSL;
import org.jooq.impl.SQLDataType;

import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;
import java.util.function.Consumer;

import static dev.sluice.db.jooq.Tables.REQUEST_LOG;
import static dev.sluice.db.jooq.Tables.USAGE_DAY;
import static dev.sluice.db.jooq.Tables.USAGE_HOUR;
import static dev.sluice.db.jooq.Tables.USAGE_MINUTE;

/** Usage series from the minute aggregates, and pages of the request log. */
public final class JooqUsageReader implements UsageReader {
    private final DSLContext dsl;

    public JooqUsageReader(DSLContext dsl) {
        this.dsl = Objects.requireNonNull(dsl, "dsl");
    }

    /** Rows read per round trip when streaming (a PostgreSQL cursor needs a transaction and a fetch size). */
    static final int STREAM_FETCH_SIZE = 1000;

    @Override
    public List<UsageRow> usage(UsageQuery query) {
        return dsl.transactionResult(cfg -> select(cfg.dsl(), query).fetch(JooqUsageReader::toRow));
    }

    @Override
    public void streamUsage(UsageQuery query, Consumer<UsageRow> sink) {
        Objects.requireNonNull(sink, "sink");
        dsl.transaction(cfg -> {
            try (Cursor<Record> cursor = select(cfg.dsl(), query).fetchSize(STREAM_FETCH_SIZE).fetchLazy()) {
                while (cursor.hasNext()) {
                    sink.accept(toRow(cursor.fetchNext()));
                }
            }
        });
    }

    /**
     * Reads each piece of the range from the coarsest table that answers it exactly ({@link UsageSpans}:
     * whole days from {@code usage_day}, whole hours from {@code usage_hour}, the rest from
     * {@code usage_minute}), all in one {@code UNION ALL} grouped into the asked buckets.
     */
    private static Select<Record> select(DSLContext dsl, UsageQuery query) {
        return select(dsl, query, true);
    }

    /** {@code ordered}: sorted by bucket and group (an inner query that is sorted again is not). */
    private static Select<Record> select(DSLContext dsl, UsageQuery query, boolean ordered) {
        List<UsageSpans.Span> spans = UsageSpans.of(query.from(), query.to(), query.bucket());
        if (spans.isEmpty()) {
            spans = List.of(new UsageSpans.Span(Bucket.MINUTE, query.from(), query.to())); // answers no row
        }
        Select<Record> union = null;
        for (UsageSpans.Span span : spans) {
            Select<Record> part = piece(dsl, span, query);
            union = union == null ? part : union.unionAll(part);
        }
        Table<Record> u = union.asTable("u");
        Field<OffsetDateTime> bucket = DSL.field(DSL.name("u", "bucket"), SQLDataType.TIMESTAMPWITHTIMEZONE);
        Field<String> backendColumn = DSL.field(DSL.name("u", "backend_name"), SQLDataType.VARCHAR);
        Field<String> appColumn = DSL.field(DSL.name("u", "app_name"), SQLDataType.VARCHAR);
        Field<String> modelColumn = DSL.field(DSL.name("u", "model"), SQLDataType.VARCHAR);
        Field<String> backend = query.groupBy().contains(GroupBy.BACKEND) ? backendColumn : DSL.inline((String) null, SQLDataType.VARCHAR);
        Field<String> app = query.groupBy().contains(GroupBy.APP) ? appColumn : DSL.inline((String) null, SQLDataType.VARCHAR);
        Field<String> model = query.groupBy().contains(GroupBy.MODEL) ? modelColumn : DSL.inline((String) null, SQLDataType.VARCHAR);
        List<GroupField> group = new ArrayList<>();
        group.add(bucket);
        if (query.groupBy().contains(GroupBy.BACKEND)) {
            group.add(backendColumn);
        }
        if (query.groupBy().contains(GroupBy.APP)) {
            group.add(appColumn);
        }
        if (query.groupBy().contains(GroupBy.MODEL)) {
            group.add(modelColumn);
        }
        // one table at its own grain, grouped by all three: its rows are the groups already (its key)
        boolean rowsAreGroups = spans.size() == 1 && spans.getFirst().grain() == query.bucket()
                && query.groupBy().containsAll(List.of(GroupBy.BACKEND, GroupBy.APP, GroupBy.MODEL));
        List<SelectField<?>> select = new ArrayList<>(List.of(bucket, backend, app, model));
        for (Field<Long> sum : SUMS) {
            Field<Long> column = DSL.field(DSL.name("u", sum.getName()), SQLDataType.BIGINT);
            select.add(rowsAreGroups ? column.as(sum.getName()) : DSL.sum(column).as(sum.getName()));
        }
        List<SortField<?>> order = group.stream().<SortField<?>>map(g -> ((Field<?>) g).asc()).toList();
        if (rowsAreGroups) {
            var rows = dsl.select(select).from(u);
            return ordered ? rows.orderBy(order) : rows;
        }
        var grouped = dsl.select(select).from(u).groupBy(group);
        return ordered ? grouped.orderBy(order) : grouped;
    }

    @Override
    public UsageTop top(UsageQuery query, Order order, int limit) {
        if (limit < 1) {
            throw new IllegalArgumentException("limit must be at least 1");
        }
        return dsl.transactionResult(cfg -> {
            // the first rows by a top-N sort, then the count and sums of all rows in a second pass
            // (cheaper than window functions, which sort every row before the LIMIT)
            Table<Record> g = select(cfg.dsl(), query, false).asTable("g", ROW_COLUMNS);
            List<Field<?>> columns = new ArrayList<>();
            for (String name : ROW_COLUMNS) {
                columns.add(g.field(name));
            }
            Field<?> sortBy = columns.get(order.column().ordinal());
            List<SortField<?>> orderBy = new ArrayList<>();
            orderBy.add(order.descending() ? sortBy.desc().nullsLast() : sortBy.asc().nullsFirst());
            for (int i = 0; i < 4; i++) {
                orderBy.add(columns.get(i).asc().nullsFirst());
            }
            List<UsageRow> rows = cfg.dsl().select(columns).from(g).orderBy(orderBy).limit(limit)
                    .fetch(JooqUsageReader::toRow);
            List<SelectField<?>> all = new ArrayList<>();
            all.add(DSL.count());
            for (int i = 4; i < ROW_COLUMNS.length; i++) {
                all.add(DSL.sum(g.field(ROW_COLUMNS[i], Long.class)));
            }
            Record sums = cfg.dsl().select(all).from(g).fetchOne();
            return new UsageTop(rows, asLong(sums.get(0)), asLong(sums.get(1)), asLong(sums.get(2)),
                    asLong(sums.get(3)), asLong(sums.get(4)), asLong(sums.get(5)));
        });
    }

    /** The columns of a grouped usage row, in {@link Column}'s order. */
    private static final String[] ROW_COLUMNS = {"bucket", "backend", "app", "model", "requests", "errors",
            "prompt_tokens", "completion_tokens", "total_tokens"};

    /** The counted columns, in the order of {@link UsageRow}. */
    private static final List<Field<Long>> SUMS = List.of(USAGE_MINUTE.REQUESTS, USAGE_MINUTE.ERRORS, USAGE_MINUTE.PROMPT_TOKENS,
            USAGE_MINUTE.COMPLETION_TOKENS, USAGE_MINUTE.TOTAL_TOKENS);

    /** The rows of one span, their bucket already truncated to the asked one. */
    private static Select<Record> piece(DSLContext dsl, UsageSpans.Span span, UsageQuery query) {
        Table<?> table = switch (span.grain()) {
            case MINUTE -> USAGE_MINUTE;
            case HOUR -> USAGE_HOUR;
            case DAY -> USAGE_DAY;
        };
        Field<OffsetDateTime> stored = UsageAggregates.column(table, USAGE_MINUTE.BUCKET);
        Field<OffsetDateTime> bucket = span.grain() == query.bucket()
                ? stored
                : DSL.field("date_trunc({0}, {1}, 'UTC')", SQLDataType.TIMESTAMPWITHTIMEZONE,
                        DSL.inline(query.bucket().name().toLowerCase(Locale.ROOT)), stored);
        Field<String> backend = UsageAggregates.column(table, USAGE_MINUTE.BACKEND_NAME);
        Field<String> app = UsageAggregates.column(table, USAGE_MINUTE.APP_NAME);
        Field<String> model = UsageAggregates.column(table, USAGE_MINUTE.MODEL);
        List<SelectField<?>> select = new ArrayList<>(List.of(bucket.as("bucket"), backend.as("backend_name"),
                app.as("app_name"), model.as("model")));
        for (Field<Long> sum : SUMS) {
            select.add(UsageAggregates.column(table, sum).as(sum.getName()));
        }
        return dsl.select(select)
                .from(table)
                .where(stored.ge(Timestamps.toColumn(span.from())))
                .and(stored.lt(Timestamps.toColumn(span.to())))
                .and(inScope(query.scope(), backend, app, model));
    }

    private static Condition inScope(Scope scope, Field<String> backend, Field<String> app, Field<String> model) {
        Condition c = DSL.noCondition();
        if (scope.backend().isPresent()) {
            c = c.and(backend.eq(scope.backend().get()));
        }
        if (scope.app().isPresent()) {
            c = c.and(app.eq(scope.app().get()));
        }
        if (scope.model().isPresent()) {
            c = c.and(model.eq(scope.model().get()));
        }
        return c;
    }

    /** See {@link LatencyPercentiles}: sampled when the aggregates count more than 50 000 requests in the range. */
    @Override
    public Latency latency(UsageQuery query) {
        return dsl.transactionResult(cfg -> {
            long requests = select(cfg.dsl(), new UsageQuery(query.from(), query.to(), Set.of(), Bucket.DAY, query.scope()))
                    .fetch(JooqUsageReader::toRow).stream().mapToLong(UsageRow::requests).sum();
            return LatencyPercentiles.read(cfg.dsl(), query, requests,
                    inScope(query.scope(), REQUEST_LOG.BACKEND_NAME, REQUEST_LOG.APP_NAME, REQUEST_LOG.MODEL));
        });
    }

    private static UsageRow toRow(Record r) {
        return new UsageRow(Timestamps.toInstant(r.get(0, OffsetDateTime.class)), r.get(1, String.class),
                r.get(2, String.class), r.get(3, String.class), asLong(r.get(4)), asLong(r.get(5)),
                asLong(r.get(6)), asLong(r.get(7)), asLong(r.get(8)));
    }

    @Override
    public List<RequestRecord> requests(RequestFilter filter) {
        Condition where = REQUEST_LOG.STARTED_AT.ge(Timestamps.toColumn(filter.from()))
                .and(REQUEST_LOG.STARTED_AT.lt(Timestamps.toColumn(filter.to())));
        if (filter.app().isPresent()) {
            where = where.and(REQUEST_LOG.APP_NAME.eq(filter.app().get()));
        }
        if (filter.backend().isPresent()) {
            where = where.and(REQUEST_LOG.BACKEND_NAME.eq(filter.backend().get()));
        }
        if (filter.model().isPresent()) {
            where = where.and(REQUEST_LOG.MODEL.eq(filter.model().get()));
        }
        if (filter.status().isPresent()) {
            where = where.and(REQUEST_LOG.STATUS.eq(filter.status().get()));
        }
        if (filter.beforeTime().isPresent() && filter.beforeId().isPresent()) {
            where = where.and(DSL.row(REQUEST_LOG.STARTED_AT, REQUEST_LOG.REQUEST_ID)
                    .lt(Timestamps.toColumn(filter.beforeTime().get()), filter.beforeId().get()));
        }
        Condition condition = where;
        return dsl.transactionResult(cfg -> cfg.dsl().selectFrom(REQUEST_LOG)
                .where(condition)
                .orderBy(REQUEST_LOG.STARTED_AT.desc(), REQUEST_LOG.REQUEST_ID.desc())
                .limit(filter.limit())
                .fetch(JooqRequestLogReader::toRecord));
    }

    private static long asLong(Object value) {
        return value == null ? 0 : ((Number) value).longValue();
    }
}
