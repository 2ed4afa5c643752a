package dev.sluice.domain.backend;

import org.junit.jupiter.api.Test;

import java.util.Optional;

import static dev.sluice.domain.backend.BackendTestData.aBackend;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

class SecretTest {
    private static final String KEY = "sk-proj-abcdefghijklmnop1234";

    @Test
    void toStringNeverShowsTheValue() {
        assertEquals("Secret[redacted]", Secret.of(KEY).toString());
    }

    @Test
    void aBackendsToStringDoesNotLeakItsKey() {
        Backend backend = aBackend().withApiKey(KEY).servingModel("m").build();

        assertFalse(backend.toString().contains(KEY), backend.toString());
        assertFalse(String.valueOf(Optional.of(Secret.of(KEY))).contains(KEY));
    }

    @Test
    void maskedShowsTheFirstThreeAndLastFourCharacters() {
        assertEquals("sk-...1234", Secret.of(KEY).masked());
    }

    @Test
    void maskedShowsNothingOfAShortSecret() {
        assertEquals("****", Secret.of("12345678").masked());
        assertEquals("****", Secret.of("sk-abcdefghijk").masked());
        assertEquals("****", Secret.of("").masked());
    }

    @Test
    void revealGivesThePlainValueAndEqualityIsByValue() {
        assertEquals(KEY, Secret.of(KEY).reveal());
        assertEquals(Secret.of(KEY), Secret.of(KEY));
        assertEquals(Secret.of(KEY).hashCode(), Secret.of(KEY).hashCode());
    }
}
