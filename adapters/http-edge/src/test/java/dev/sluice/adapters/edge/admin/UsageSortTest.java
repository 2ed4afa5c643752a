package dev.sluice.adapters.edge.admin;

import dev.sluice.application.admin.FieldError;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

class UsageSortTest {
    private static final Instant T = Instant.parse("2026-12-04T00:00:00Z");

    private static AdminViews.UsagePoint point(String app, long tokens) {
        return new AdminViews.UsagePoint(T, "b", app, "m", 1, 0, tokens, 0, tokens);
    }

    private final List<AdminViews.UsagePoint> series = List.of(point("beta", 5), point("alpha", 50), point("gamma", 20));

    private static List<String> apps(List<AdminViews.UsagePoint> points) {
        return points.stream().map(AdminViews.UsagePoint::app).toList();
    }

    @Test
    void givenACountColumn_thenTheBiggestComeFirstByDefault_andTheLimitKeepsTheTop() {
        List<FieldError> errors = new ArrayList<>();
        assertEquals(List.of("alpha", "gamma"), apps(UsageSort.of("totalTokens", null, 2, errors).apply(series)));
        assertEquals(List.of(), errors);
    }

    @Test
    void givenATextColumn_thenAscendingByDefault_andDescendingWhenAsked() {
        List<FieldError> errors = new ArrayList<>();
        assertEquals(List.of("alpha", "beta", "gamma"), apps(UsageSort.of("app", null, null, errors).apply(series)));
        assertEquals(List.of("gamma", "beta", "alpha"), apps(UsageSort.of("app", "desc", null, errors).apply(series)));
        assertEquals(List.of(), errors);
    }

    @Test
    void givenNoSort_thenTheSeriesKeepsItsOrder_upToTheLimit() {
        List<FieldError> errors = new ArrayList<>();
        assertEquals(List.of("beta", "alpha"), apps(UsageSort.of(null, null, 2, errors).apply(series)));
        assertEquals(series, UsageSort.of(null, null, null, errors).apply(series));
    }

    @Test
    void givenBadParameters_thenEachIsNamed() {
        List<FieldError> errors = new ArrayList<>();
        UsageSort.of("cost", null, 0, errors);
        UsageSort.of("app", "sideways", null, errors);
        UsageSort.of(null, "asc", null, errors);
        assertEquals(List.of("sort", "limit", "dir", "dir"), errors.stream().map(FieldError::field).toList());
    }
}
