package dev.sluice.application.port;

import dev.sluice.domain.usage.RequestRecord;

import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;

/** Reads the usage aggregates and the request log for the admin API (never on the request path). */
public interface UsageReader {
    enum GroupBy { BACKEND, APP, MODEL }

    enum Bucket { MINUTE, HOUR, DAY }

    /** Which rows count: only those of the named backend, app and model where one is given. */
    record Scope(Optional<String> backend, Optional<String> app, Optional<String> model) {
        public static final Scope ALL = new Scope(Optional.empty(), Optional.empty(), Optional.empty());
    }

    /**
     * Usage from {@code from} (inclusive) to {@code to} (exclusive), in buckets (UTC), grouped by the given dimensions,
     * of the rows in {@code scope}.
     */
    record UsageQuery(Instant from, Instant to, Set<GroupBy> groupBy, Bucket bucket, Scope scope) {
        public UsageQuery(Instant from, Instant to, Set<GroupBy> groupBy, Bucket bucket) {
            this(from, to, groupBy, bucket, Scope.ALL);
        }

        public UsageQuery within(Scope scope) {
            return new UsageQuery(from, to, groupBy, bucket, scope);
        }
    }

    /** One bucket of one group; a dimension not grouped by is null. */
    record UsageRow(Instant bucket, String backend, String app, String model, long requests, long errors,
                    long promptTokens, long completionTokens, long totalTokens) {
    }

    List<UsageRow> usage(UsageQuery query);

    /** The columns usage rows can be ordered by. */
    enum Column { BUCKET, BACKEND, APP, MODEL, REQUESTS, ERRORS, PROMPT_TOKENS, COMPLETION_TOKENS, TOTAL_TOKENS }

    /** Rows by {@code column}; ties in the usual order (bucket, backend, app, model). */
    record Order(Column column, boolean descending) {
    }

    /** The first rows of a query in some order, with the number and the sums of all its rows. */
    record UsageTop(List<UsageRow> rows, long rowCount, long requests, long errors, long promptTokens,
                    long completionTokens, long totalTokens) {
    }

    /**
     * The first {@code limit} rows of {@link #usage(UsageQuery)} in {@code order}, with the count and
     * totals of every row, in one read: a table of the biggest users of a large range without
     * carrying the whole range to the caller.
     */
    UsageTop top(UsageQuery query, Order order, int limit);

    /**
     * The rows of {@link #usage(UsageQuery)}, in the same order, handed to {@code sink} one at a time as they are read
     * (a server-side cursor: the result is never held whole in memory). An exception thrown by {@code sink} stops the
     * query and is rethrown.
     */
    void streamUsage(UsageQuery query, Consumer<UsageRow> sink);

    /**
     * Latency and time-to-first-token percentiles (milliseconds) of one bucket, or of the whole range when
     * {@code bucket} is null; a percentile is empty where no request had the figure (TTFT of unstreamed requests).
     */
    record LatencyRow(Instant bucket, long requests, Optional<Double> latencyP50Ms, Optional<Double> latencyP95Ms,
                      Optional<Double> ttftP50Ms, Optional<Double> ttftP95Ms) {
    }

    /**
     * Percentiles per bucket and over the whole range, from the request log; {@code groupBy} is ignored.
     * {@code sampled} is the fraction of the range's requests they were computed from (1 = all of them);
     * each row's {@code requests} counts the requests measured.
     */
    record Latency(List<LatencyRow> series, LatencyRow total, double sampled) {
    }

    Latency latency(UsageQuery query);

    /** Newest first; {@code before} continues a previous page (its last request's start time and id). */
    record RequestFilter(Optional<String> app, Optional<String> backend, Optional<String> model, Optional<Integer> status,
                         Instant from, Instant to, int limit, Optional<Instant> beforeTime, Optional<String> beforeId) {
    }

    List<RequestRecord> requests(RequestFilter filter);
}
