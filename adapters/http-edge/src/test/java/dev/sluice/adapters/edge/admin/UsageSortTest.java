package dev.sluice.adapters.edge.admin;

import dev.sluice.application.admin.FieldError;
import dev.sluice.application.port.UsageReader.Column;
import dev.sluice.application.port.UsageReader.Order;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class UsageSortTest {
    @Test
    void givenACountColumn_thenDescendingByDefault_withTheLimit() {
        List<FieldError> errors = new ArrayList<>();
        UsageSort sort = UsageSort.of("totalTokens", null, 2, errors);
        assertEquals(Optional.of(new Order(Column.TOTAL_TOKENS, true)), sort.order());
        assertEquals(2, sort.limitOrMax());
        assertEquals(List.of(), errors);
    }

    @Test
    void givenATextColumn_thenAscendingByDefault_andDescendingWhenAsked() {
        List<FieldError> errors = new ArrayList<>();
        assertEquals(new Order(Column.APP, false), UsageSort.of("app", null, null, errors).orderOrDefault());
        assertEquals(new Order(Column.APP, true), UsageSort.of("app", "DESC", null, errors).orderOrDefault());
        assertEquals(List.of(), errors);
    }

    @Test
    void givenNothing_thenTheWholeSeriesInItsOwnOrder_andALimitAloneKeepsThatOrder() {
        List<FieldError> errors = new ArrayList<>();
        assertTrue(UsageSort.of(null, null, null, errors).whole());
        UsageSort limited = UsageSort.of(null, null, 10, errors);
        assertEquals(new Order(Column.BUCKET, false), limited.orderOrDefault());
        assertEquals(10, limited.limitOrMax());
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
