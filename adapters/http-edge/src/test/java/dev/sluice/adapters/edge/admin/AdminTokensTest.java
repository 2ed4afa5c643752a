package dev.sluice.adapters.edge.admin;

import org.junit.jupiter.api.Test;

import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class AdminTokensTest {
    private static final String MAIN = "main-token-0123456789";

    @Test
    void givenNamedTokens_thenEachMatchesItsCallerAndRole() {
        AdminTokens tokens = AdminTokens.of(MAIN, " alice:admin:alice-token-0123456789 , bob:viewer:bob-token-0123456789");

        assertEquals(Optional.of(new AdminTokens.Caller("admin-token", AdminTokens.Role.ADMIN)), tokens.match(MAIN));
        assertEquals(Optional.of(new AdminTokens.Caller("alice", AdminTokens.Role.ADMIN)), tokens.match("alice-token-0123456789"));
        assertEquals(Optional.of(new AdminTokens.Caller("bob", AdminTokens.Role.VIEWER)), tokens.match("bob-token-0123456789"));
        assertTrue(tokens.match("bob-token-012345678").isEmpty());
        assertTrue(AdminTokens.of(MAIN, "").match("alice-token-0123456789").isEmpty());
    }

    @Test
    void givenBadEntries_thenTheStartStopsWithAMessageNamingTheEntry() {
        assertTrue(assertThrows(IllegalStateException.class, () -> AdminTokens.of("short", null))
                .getMessage().contains("sluice.admin.token"));
        assertTrue(assertThrows(IllegalStateException.class, () -> AdminTokens.of(MAIN, "alice:admin"))
                .getMessage().contains("entry 0 must be name:role:token"));
        assertTrue(assertThrows(IllegalStateException.class, () -> AdminTokens.of(MAIN, "a:admin:aaaaaaaaaaaaaaaaaaaa,b:owner:bbbbbbbbbbbbbbbbbbbb"))
                .getMessage().contains("entry 1 (b): the role must be admin or viewer"));
        assertTrue(assertThrows(IllegalStateException.class, () -> AdminTokens.of(MAIN, "a:viewer:short"))
                .getMessage().contains("at least 16"));
        assertTrue(assertThrows(IllegalStateException.class, () -> AdminTokens.of(MAIN, "admin-token:viewer:cccccccccccccccccccc"))
                .getMessage().contains("used twice"));
    }
}
