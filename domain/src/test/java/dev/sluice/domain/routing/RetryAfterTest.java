package dev.sluice.domain.routing;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.NullAndEmptySource;
import org.junit.jupiter.params.provider.ValueSource;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;

class RetryAfterTest {
    /** Wed, 21 Oct 2015 07:28:00 GMT, plus some milliseconds as a real clock has. */
    private static final Instant NOW = Instant.parse("2015-10-21T07:28:00.250Z");
    private static final Duration ONE_HOUR = Duration.ofHours(1);

    @Test
    void givenDeltaSeconds_thenThatManySeconds() {
        assertEquals(Optional.of(Duration.ofSeconds(120)), RetryAfter.parse("120", NOW));
        assertEquals(Optional.of(Duration.ZERO), RetryAfter.parse("0", NOW));
    }

    @Test
    void givenDeltaSecondsWithSurroundingWhitespace_thenThatManySeconds() {
        assertEquals(Optional.of(Duration.ofSeconds(30)), RetryAfter.parse("  30\t", NOW));
    }

    @Test
    void givenAnHttpDateInTheFuture_thenTheTimeUntilThen() {
        assertEquals(Optional.of(Duration.ofSeconds(120).minusMillis(250)),
                RetryAfter.parse("Wed, 21 Oct 2015 07:30:00 GMT", NOW));
    }

    @Test
    void givenAnHttpDateInThePast_thenZero() {
        assertEquals(Optional.of(Duration.ZERO), RetryAfter.parse("Wed, 21 Oct 2015 07:27:00 GMT", NOW));
        assertEquals(Optional.of(Duration.ZERO), RetryAfter.parse("Thu, 01 Jan 1970 00:00:00 GMT", NOW));
    }

    @ParameterizedTest(name = "\"{0}\"")
    @NullAndEmptySource
    @ValueSource(strings = {"   ", "soon", "1.5", "12s", "0x10", "Wed, 32 Oct 2015 07:30:00 GMT", "2015-10-21T07:30:00Z"})
    void givenGarbage_thenNoRetryAfter(String value) {
        assertEquals(Optional.empty(), RetryAfter.parse(value, NOW));
    }

    @ParameterizedTest(name = "\"{0}\"")
    @ValueSource(strings = {"-1", "-120"})
    void givenNegativeSeconds_thenNoRetryAfter(String value) {
        assertEquals(Optional.empty(), RetryAfter.parse(value, NOW));
    }

    @Test
    void givenExactlyOneHour_thenOneHour() {
        assertEquals(Optional.of(ONE_HOUR), RetryAfter.parse("3600", NOW));
    }

    @ParameterizedTest(name = "\"{0}\"")
    @ValueSource(strings = {"3601", "86400", "9223372036854775807", "99999999999999999999999"})
    void givenMoreThanOneHourOfSeconds_thenCappedAtOneHour(String value) {
        assertEquals(Optional.of(ONE_HOUR), RetryAfter.parse(value, NOW));
    }

    @Test
    void givenAnHttpDateMoreThanOneHourAway_thenCappedAtOneHour() {
        assertEquals(Optional.of(ONE_HOUR), RetryAfter.parse("Thu, 22 Oct 2015 07:28:00 GMT", NOW));
    }
}
