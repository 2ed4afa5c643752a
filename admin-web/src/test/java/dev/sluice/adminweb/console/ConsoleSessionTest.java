package dev.sluice.adminweb.console;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class ConsoleSessionTest {

    private static final Instant NOW = Instant.parse("2025-06-01T12:00:00Z");

    private final ConsoleSession session = new ConsoleSession("admin-token-1", Duration.ofHours(12));

    @Test
    void tokenComparison() {
        assertTrue(session.tokenMatches("admin-token-1"));
        assertFalse(session.tokenMatches("admin-token-2"));
        assertFalse(session.tokenMatches("admin-token-1 "));
        assertFalse(session.tokenMatches(""));
        assertFalse(session.tokenMatches(null));
    }

    @Test
    void sessionIsValidUntilItExpires() {
        String value = session.issue(NOW);
        assertFalse(value.contains("admin-token-1"));
        assertTrue(session.valid(value, NOW));
        assertTrue(session.valid(value, NOW.plus(Duration.ofHours(12)).minusSeconds(1)));
        assertFalse(session.valid(value, NOW.plus(Duration.ofHours(12))));
    }

    @Test
    void sessionFromAnotherTokenIsRefused() {
        String value = session.issue(NOW);
        ConsoleSession rotated = new ConsoleSession("admin-token-2", Duration.ofHours(12));
        assertFalse(rotated.valid(value, NOW));
        assertNotEquals(value, rotated.issue(NOW));
    }

    @Test
    void malformedValuesAreRefused() {
        for (String bad : new String[] {"", "v1", "v1..", "v2.1.abc", "v1.x.abc", "v1.99999999999.abc", "a.b.c.d"}) {
            assertFalse(session.valid(bad, NOW), bad);
        }
        assertFalse(session.valid((String) null, NOW));
    }

    @Test
    void withoutATokenNobodyGetsIn() {
        ConsoleSession none = new ConsoleSession("", Duration.ofHours(1));
        assertFalse(none.configured());
        assertFalse(none.tokenMatches(""));
        assertFalse(none.valid(session.issue(NOW), NOW));
        assertThrows(IllegalStateException.class, () -> none.issue(NOW));
        assertEquals(Duration.ofHours(1), none.ttl());
    }

    @Test
    void aViewersSessionSaysWhoAndThatItOnlyReads() {
        String value = session.issue(NOW, new ConsoleSession.User("ops", true));
        assertEquals(Optional.of(new ConsoleSession.User("ops", true)), session.user(value, NOW));
        assertEquals("ops (console)", session.user(value, NOW).orElseThrow().actor());
        assertEquals("console", session.user(session.issue(NOW), NOW).orElseThrow().actor());
        String promoted = value.replace(".V.", ".A.");
        assertFalse(session.valid(promoted, NOW), "the role is under the MAC");
    }
}
