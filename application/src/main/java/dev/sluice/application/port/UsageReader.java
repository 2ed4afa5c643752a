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

    /** Usage from {@code from} (inclusive) to {@code to} (exclusive), in buckets (UTC), grouped by the given dimensions. */
    record UsageQuery(Instant from, Instant to, Set<GroupBy> groupBy, Bucket bucket) {
    }

    /** One bucket of one group; a dimension not grouped by is null. */
    record UsageRow(Instant bucket, String backend, String app, String model, long requests, long errors,
                    long promptTokens, long completionTokens, long totalTokens) {
    }

    List<UsageRow> usage(UsageQuery query);

    /**
     * The rows of {@link #usage(UsageQuery)}, in the same order, handed to {@code sink} one at a time as they are read
     * (a server-side cursor: the result is never held whole in memory). An exception thrown by {@code sink} stops the
     * query and is rethrown.
     */
    void streamUsage(UsageQuery query, Consumer<UsageRow> sink);

    /** Newest first; {@code before} continues a previous page (its last request's start time and id). */
    record RequestFilter(Optional<String> app, Optional<String> backend, Optional<Integer> status, Instant from, Instant to,
                         int limit, Optional<Instant> beforeTime, Optional<String> beforeId) {
    }

    List<RequestRecord> requests(RequestFilter filter);
}
