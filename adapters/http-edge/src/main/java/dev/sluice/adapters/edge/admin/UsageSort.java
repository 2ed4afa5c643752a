package dev.sluice.adapters.edge.admin;

import dev.sluice.application.admin.FieldError;

import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * {@code /usage?sort=&dir=&limit=}: the order of the usage rows by any column, and how many are
 * returned, so a client showing a table (the console) gets the top rows of a large range without
 * the whole series. Text columns sort ascending by default, counts descending; ties keep the
 * series' own order (bucket, then backend, app, model).
 */
final class UsageSort {
    static final int MAX_LIMIT = 100_000;

    private static final Comparator<String> TEXT = Comparator.nullsFirst(Comparator.naturalOrder());
    private static final Map<String, Comparator<AdminViews.UsagePoint>> COLUMNS = Map.of(
            "bucket", Comparator.comparing(AdminViews.UsagePoint::bucket),
            "backend", Comparator.comparing(AdminViews.UsagePoint::backend, TEXT),
            "app", Comparator.comparing(AdminViews.UsagePoint::app, TEXT),
            "model", Comparator.comparing(AdminViews.UsagePoint::model, TEXT),
            "requests", Comparator.comparingLong(AdminViews.UsagePoint::requests),
            "errors", Comparator.comparingLong(AdminViews.UsagePoint::errors),
            "promptTokens", Comparator.comparingLong(AdminViews.UsagePoint::promptTokens),
            "completionTokens", Comparator.comparingLong(AdminViews.UsagePoint::completionTokens),
            "totalTokens", Comparator.comparingLong(AdminViews.UsagePoint::totalTokens));
    private static final List<String> TEXT_COLUMNS = List.of("backend", "app", "model");

    private final Optional<Comparator<AdminViews.UsagePoint>> order;
    private final int limit;

    private UsageSort(Optional<Comparator<AdminViews.UsagePoint>> order, int limit) {
        this.order = order;
        this.limit = limit;
    }

    /** Reads the parameters, adding a named error for each bad one. */
    static UsageSort of(String sort, String dir, Integer limit, List<FieldError> errors) {
        Optional<Comparator<AdminViews.UsagePoint>> order = Optional.empty();
        if (sort != null) {
            Comparator<AdminViews.UsagePoint> column = COLUMNS.get(sort);
            if (column == null) {
                errors.add(new FieldError("sort", "must be one of " + String.join(", ", COLUMNS.keySet().stream().sorted().toList())));
            } else {
                boolean descending = dir == null ? !TEXT_COLUMNS.contains(sort) && !sort.equals("bucket")
                        : dir.equalsIgnoreCase("desc");
                if (dir != null && !dir.equalsIgnoreCase("asc") && !dir.equalsIgnoreCase("desc")) {
                    errors.add(new FieldError("dir", "must be asc or desc"));
                }
                order = Optional.of(descending ? column.reversed() : column);
            }
        } else if (dir != null) {
            errors.add(new FieldError("dir", "needs sort"));
        }
        if (limit != null && (limit < 1 || limit > MAX_LIMIT)) {
            errors.add(new FieldError("limit", "must be between 1 and " + MAX_LIMIT));
        }
        return new UsageSort(order, limit == null ? Integer.MAX_VALUE : limit);
    }

    /** The rows in this order, at most the limit. */
    List<AdminViews.UsagePoint> apply(List<AdminViews.UsagePoint> series) {
        Objects.requireNonNull(series, "series");
        if (order.isEmpty() && series.size() <= limit) {
            return series;
        }
        return (order.isPresent() ? series.stream().sorted(order.get()) : series.stream()).limit(limit).toList();
    }
}
