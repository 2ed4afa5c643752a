package dev.sluice.adapters.edge.admin;

import dev.sluice.application.admin.FieldError;
import dev.sluice.application.port.UsageReader;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * {@code /usage?sort=&dir=&limit=}: the order of the usage rows by any column, and how many are
 * returned, so a client showing a table (the console) gets the top rows of a large range without
 * the whole series; the database sorts and cuts. Text columns and the bucket sort ascending by
 * default, counts descending; ties keep the series' own order (bucket, then backend, app, model).
 */
record UsageSort(Optional<UsageReader.Order> order, Optional<Integer> limit) {
    static final int MAX_LIMIT = 100_000;

    private static final Map<String, UsageReader.Column> COLUMNS = Map.of(
            "bucket", UsageReader.Column.BUCKET,
            "backend", UsageReader.Column.BACKEND,
            "app", UsageReader.Column.APP,
            "model", UsageReader.Column.MODEL,
            "requests", UsageReader.Column.REQUESTS,
            "errors", UsageReader.Column.ERRORS,
            "promptTokens", UsageReader.Column.PROMPT_TOKENS,
            "completionTokens", UsageReader.Column.COMPLETION_TOKENS,
            "totalTokens", UsageReader.Column.TOTAL_TOKENS);
    private static final List<String> ASCENDING = List.of("bucket", "backend", "app", "model");

    /** Reads the parameters, adding a named error for each bad one. */
    static UsageSort of(String sort, String dir, Integer limit, List<FieldError> errors) {
        Optional<UsageReader.Order> order = Optional.empty();
        if (dir != null && !dir.equalsIgnoreCase("asc") && !dir.equalsIgnoreCase("desc")) {
            errors.add(new FieldError("dir", "must be asc or desc"));
        }
        if (sort != null) {
            UsageReader.Column column = COLUMNS.get(sort);
            if (column == null) {
                errors.add(new FieldError("sort", "must be one of " + String.join(", ", COLUMNS.keySet().stream().sorted().toList())));
            } else {
                boolean descending = dir == null ? !ASCENDING.contains(sort) : dir.equalsIgnoreCase("desc");
                order = Optional.of(new UsageReader.Order(column, descending));
            }
        } else if (dir != null) {
            errors.add(new FieldError("dir", "needs sort"));
        }
        if (limit != null && (limit < 1 || limit > MAX_LIMIT)) {
            errors.add(new FieldError("limit", "must be between 1 and " + MAX_LIMIT));
        }
        return new UsageSort(order, Optional.ofNullable(limit));
    }

    /** Whether the whole series in its own order is asked (no sort, no limit). */
    boolean whole() {
        return order.isEmpty() && limit.isEmpty();
    }

    /** The order to read in: the asked one, else the series' own. */
    UsageReader.Order orderOrDefault() {
        return order.orElse(new UsageReader.Order(UsageReader.Column.BUCKET, false));
    }

    int limitOrMax() {
        return limit.orElse(MAX_LIMIT);
    }
}
