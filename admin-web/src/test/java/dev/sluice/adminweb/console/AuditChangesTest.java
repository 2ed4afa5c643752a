package dev.sluice.adminweb.console;

import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;

class AuditChangesTest {
    @Test
    void givenTwoStates_thenEveryChangedLeafIsListedByPath_andUnchangedOnesAreNot() {
        Map<String, Object> limitsAfter = new HashMap<>();
        limitsAfter.put("rpm", 900);
        limitsAfter.put("tpm", null);
        Map<String, Object> before = new HashMap<>();
        before.put("name", "main");
        before.put("limits", null);
        before.put("models", List.of(Map.of("name", "gpt-4o")));
        Map<String, Object> after = Map.of("name", "main", "limits", limitsAfter,
                "models", List.of(Map.of("name", "gpt-4o"), Map.of("name", "gpt-4o-mini")));

        assertEquals(List.of("limits.rpm: null → 900", "models[1].name: null → gpt-4o-mini"),
                AuditPageController.changes(before, after));
    }

    @Test
    void givenACreateOrADelete_thenNoFieldList() {
        assertEquals(List.of(), AuditPageController.changes(null, Map.of("name", "x")));
        assertEquals(List.of(), AuditPageController.changes(Map.of("name", "x"), null));
    }
}
