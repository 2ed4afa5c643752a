package dev.sluice.domain.routing;

import dev.sluice.domain.routing.CircuitBreaker.State;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import static dev.sluice.domain.routing.CircuitBreakerTestData.breakerSettings;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CircuitBreakerTest {
    private static final Duration BASE_COOLDOWN = Duration.ofSeconds(1);
    private static final Duration MAX_COOLDOWN = Duration.ofSeconds(8);

    /** The injected clock, in epoch millis. */
    private long now = 1_700_000_000_000L;

    private void advance(Duration d) {
        now += d.toMillis();
    }

    private void advanceMillis(long ms) {
        now += ms;
    }

    private CircuitBreaker breakerTrippingAfter(int consecutiveFailures) {
        return new CircuitBreaker(breakerSettings().trippingAfterConsecutive(consecutiveFailures)
                .coolingDown(BASE_COOLDOWN, MAX_COOLDOWN).build(), now);
    }

    /** Trips at half of ten or more requests within ten seconds; consecutive failures alone never trip it. */
    private CircuitBreaker breakerTrippingAtHalfOfTen() {
        return new CircuitBreaker(breakerSettings().trippingAtRatio(0.5, 10).overWindow(Duration.ofSeconds(10))
                .coolingDown(BASE_COOLDOWN, MAX_COOLDOWN).build(), now);
    }

    private CircuitBreaker openBreaker() {
        CircuitBreaker breaker = breakerTrippingAfter(1);
        breaker.onFailure(now, "HTTP 502");
        assertEquals(State.OPEN, breaker.state());
        return breaker;
    }

    private CircuitBreaker halfOpenBreakerWithProbeInFlight() {
        CircuitBreaker breaker = openBreaker();
        advance(BASE_COOLDOWN);
        assertTrue(breaker.tryAcquire(now), "the probe");
        assertEquals(State.HALF_OPEN, breaker.state());
        return breaker;
    }

    // --- tripping

    @Test
    void givenAFreshBreaker_thenItIsClosedAndLetsRequestsThrough() {
        CircuitBreaker breaker = breakerTrippingAfter(3);

        assertEquals(State.CLOSED, breaker.state());
        assertTrue(breaker.available(now));
        assertTrue(breaker.tryAcquire(now));
        assertTrue(breaker.tryAcquire(now), "a closed breaker does not limit concurrency");
    }

    @Test
    void givenNConsecutiveFailures_thenTheCircuitOpens() {
        CircuitBreaker breaker = breakerTrippingAfter(3);

        breaker.onFailure(now, "HTTP 500");
        breaker.onFailure(now, "HTTP 500");
        assertEquals(State.CLOSED, breaker.state(), "two failures are not yet three");

        breaker.onFailure(now, "HTTP 500");

        assertEquals(State.OPEN, breaker.state());
        assertFalse(breaker.available(now));
        assertFalse(breaker.tryAcquire(now));
    }

    @Test
    void givenASuccessBetweenFailures_thenTheConsecutiveCountStartsOver() {
        CircuitBreaker breaker = breakerTrippingAfter(3);

        breaker.onFailure(now, "HTTP 500");
        breaker.onFailure(now, "HTTP 500");
        breaker.onSuccess(now);
        breaker.onFailure(now, "HTTP 500");
        breaker.onFailure(now, "HTTP 500");

        assertEquals(State.CLOSED, breaker.state());
        assertEquals(2, breaker.health(now).consecutiveFailures());
    }

    @Test
    void givenAFailureRatioAtTheThresholdOnceMinimumRequestsAreReached_thenTheCircuitOpens() {
        CircuitBreaker breaker = breakerTrippingAtHalfOfTen();

        for (int i = 0; i < 4; i++) {
            breaker.onSuccess(now);
            breaker.onFailure(now, "HTTP 503");
            advanceMillis(500);
        }
        assertEquals(State.CLOSED, breaker.state(), "4 of 8 is half, but 8 requests are below the minimum");

        breaker.onSuccess(now);
        breaker.onFailure(now, "HTTP 503");

        assertEquals(State.OPEN, breaker.state(), "5 of 10 failed");
    }

    @Test
    void givenAFailureRatioBelowTheThreshold_thenTheCircuitStaysClosed() {
        CircuitBreaker breaker = breakerTrippingAtHalfOfTen();

        for (int i = 0; i < 6; i++) {
            breaker.onSuccess(now);
        }
        for (int i = 0; i < 5; i++) {
            breaker.onFailure(now, "HTTP 503");
        }

        assertEquals(State.CLOSED, breaker.state(), "5 of 11 is below half");
    }

    @Test
    void givenFailuresOlderThanTheWindow_thenTheyDoNotCountTowardsTheRatio() {
        CircuitBreaker breaker = breakerTrippingAtHalfOfTen();
        for (int i = 0; i < 9; i++) {
            breaker.onFailure(now, "HTTP 503");
        }

        advance(Duration.ofSeconds(11));
        breaker.onSuccess(now);
        breaker.onFailure(now, "HTTP 503");

        assertEquals(State.CLOSED, breaker.state(), "within the window: 1 of 2, below the minimum of 10");
    }

    @Test
    void givenTheSameFailuresWithinTheWindow_thenTheyDoCount() {
        CircuitBreaker breaker = breakerTrippingAtHalfOfTen();
        for (int i = 0; i < 9; i++) {
            breaker.onFailure(now, "HTTP 503");
        }

        advance(Duration.ofSeconds(8));
        breaker.onSuccess(now);
        breaker.onFailure(now, "HTTP 503");

        assertEquals(State.OPEN, breaker.state(), "10 of 11 within the window");
    }

    // --- cooldown and half-open

    @Test
    void givenAnOpenCircuit_whenTheCooldownEnds_thenExactlyOneProbeIsLetThrough() {
        CircuitBreaker breaker = openBreaker();

        advanceMillis(BASE_COOLDOWN.toMillis() - 1);
        assertFalse(breaker.available(now), "still cooling down");
        assertFalse(breaker.tryAcquire(now));

        advanceMillis(1);
        assertTrue(breaker.available(now));
        assertTrue(breaker.tryAcquire(now), "the probe");
        assertEquals(State.HALF_OPEN, breaker.state());

        assertFalse(breaker.tryAcquire(now), "a second request while the probe is in flight");
        assertFalse(breaker.available(now));
        advance(Duration.ofMinutes(10));
        assertFalse(breaker.tryAcquire(now), "the slot stays taken until the probe reports");
    }

    @Test
    void givenAProbeInFlight_whenItSucceeds_thenTheCircuitCloses() {
        CircuitBreaker breaker = halfOpenBreakerWithProbeInFlight();

        breaker.onSuccess(now);

        assertEquals(State.CLOSED, breaker.state());
        assertTrue(breaker.tryAcquire(now));
        assertTrue(breaker.tryAcquire(now));
        assertEquals(0, breaker.health(now).consecutiveFailures());
    }

    @Test
    void givenAProbeInFlight_whenItFails_thenTheCircuitReopensForTwiceTheCooldown() {
        CircuitBreaker breaker = halfOpenBreakerWithProbeInFlight();

        breaker.onFailure(now, "HTTP 502");

        assertEquals(State.OPEN, breaker.state());
        assertEquals(BASE_COOLDOWN.multipliedBy(2), cooldownLeft(breaker));
    }

    @Test
    void givenRepeatedFailedProbes_thenTheCooldownDoublesUpToTheCap() {
        CircuitBreaker breaker = openBreaker();
        Duration[] expected = {Duration.ofSeconds(1), Duration.ofSeconds(2), Duration.ofSeconds(4),
                Duration.ofSeconds(8), Duration.ofSeconds(8), Duration.ofSeconds(8)};

        for (int opening = 0; opening < expected.length; opening++) {
            Duration cooldown = cooldownLeft(breaker);
            assertEquals(expected[opening], cooldown, "opening " + (opening + 1));
            advanceMillis(cooldown.toMillis() - 1);
            assertFalse(breaker.tryAcquire(now), "one millisecond early at opening " + (opening + 1));
            advanceMillis(1);
            assertTrue(breaker.tryAcquire(now));
            breaker.onFailure(now, "HTTP 502");
        }
    }

    @Test
    void givenAClosedCircuitAfterAProbe_whenItTripsAgain_thenTheCooldownStartsFromTheBase() {
        CircuitBreaker breaker = halfOpenBreakerWithProbeInFlight();
        breaker.onFailure(now, "HTTP 502");
        advance(cooldownLeft(breaker));
        assertTrue(breaker.tryAcquire(now));
        breaker.onSuccess(now);

        breaker.onFailure(now, "HTTP 502");

        assertEquals(State.OPEN, breaker.state());
        assertEquals(BASE_COOLDOWN, cooldownLeft(breaker));
    }

    @Test
    void givenARatioTrip_whenTheProbeSucceeds_thenFailuresFromBeforeTheOutageDoNotReopenIt() {
        CircuitBreaker breaker = breakerTrippingAtHalfOfTen();
        for (int i = 0; i < 10; i++) {
            breaker.onFailure(now, "HTTP 503");
        }
        assertEquals(State.OPEN, breaker.state());
        advance(BASE_COOLDOWN);
        assertTrue(breaker.tryAcquire(now));
        breaker.onSuccess(now);

        breaker.onFailure(now, "HTTP 503");

        assertEquals(State.CLOSED, breaker.state(), "one failure after recovery is 1 of 2, not 11 of 12");
    }

    @Test
    void givenAProbeInFlight_whenTheClientLeaves_thenTheProbeSlotIsFreedForTheNextRequest() {
        CircuitBreaker breaker = halfOpenBreakerWithProbeInFlight();

        breaker.onAbandoned();

        assertEquals(State.HALF_OPEN, breaker.state());
        assertTrue(breaker.available(now));
        assertTrue(breaker.tryAcquire(now), "a new probe");
        assertFalse(breaker.tryAcquire(now), "and still only one");
    }

    // --- 429 cooldown

    @Test
    void givenA429Cooldown_thenTheBackendIsUnavailableUntilItEndsAndThenAvailableWithoutHalfOpen() {
        CircuitBreaker breaker = breakerTrippingAfter(3);

        breaker.coolDown(now, Duration.ofSeconds(30), "HTTP 429");

        assertFalse(breaker.available(now));
        assertFalse(breaker.tryAcquire(now));
        advanceMillis(29_999);
        assertFalse(breaker.tryAcquire(now));

        advanceMillis(1);
        assertTrue(breaker.available(now));
        assertTrue(breaker.tryAcquire(now));
        assertTrue(breaker.tryAcquire(now), "no probe limit: it never went half-open");
        assertEquals(State.CLOSED, breaker.state());
    }

    @Test
    void givenA429Cooldown_thenItIsNotCountedAsAFailure() {
        CircuitBreaker breaker = breakerTrippingAfter(1);

        breaker.coolDown(now, Duration.ofSeconds(5), "HTTP 429");

        assertEquals(State.CLOSED, breaker.state());
        assertEquals(0, breaker.health(now).consecutiveFailures());
    }

    @Test
    void givenALongerCooldown_whenAShorterOneArrives_thenTheLongerOneStands() {
        CircuitBreaker breaker = breakerTrippingAfter(3);
        breaker.coolDown(now, Duration.ofSeconds(30), "HTTP 429");

        breaker.coolDown(now, Duration.ofSeconds(5), "HTTP 429 again");
        advance(Duration.ofSeconds(10));

        assertFalse(breaker.available(now));
        assertEquals(Optional.of("HTTP 429"), breaker.health(now).lastError());
    }

    @Test
    void givenAZeroOrNegativeCooldown_thenTheBackendStaysAvailable() {
        CircuitBreaker breaker = breakerTrippingAfter(3);

        breaker.coolDown(now, Duration.ZERO, "HTTP 429");
        breaker.coolDown(now, Duration.ofSeconds(-5), "HTTP 429");

        assertTrue(breaker.available(now));
    }

    // --- active health checks

    @Test
    void givenAFailedHealthCheck_thenTheBackendIsDownUntilACheckSucceeds() {
        CircuitBreaker breaker = breakerTrippingAfter(3);

        breaker.markDown(now, "health check: connection refused");

        assertEquals(State.OPEN, breaker.state());
        assertFalse(breaker.available(now));
        assertEquals(Optional.of("health check: connection refused"), breaker.health(now).lastError());

        breaker.markUp(now);

        assertEquals(State.CLOSED, breaker.state());
        assertTrue(breaker.available(now));
        assertTrue(breaker.tryAcquire(now));
    }

    @Test
    void givenAFailedHealthCheckWhileHalfOpen_thenTheCircuitReopens() {
        CircuitBreaker breaker = halfOpenBreakerWithProbeInFlight();

        breaker.markDown(now, "health check: 503");

        assertEquals(State.OPEN, breaker.state());
        assertFalse(breaker.tryAcquire(now));
    }

    @Test
    void givenAPassedHealthCheckWhileHalfOpen_thenTheCircuitClosesAndTheProbeSlotIsFree() {
        CircuitBreaker breaker = halfOpenBreakerWithProbeInFlight();

        breaker.markUp(now);

        assertEquals(State.CLOSED, breaker.state());
        assertTrue(breaker.tryAcquire(now));
        assertTrue(breaker.tryAcquire(now));
    }

    @Test
    void givenAPassedHealthCheckOnAClosedCircuit_thenNothingChanges() {
        CircuitBreaker breaker = breakerTrippingAfter(3);
        Instant createdAt = Instant.ofEpochMilli(now);
        advance(Duration.ofSeconds(5));

        breaker.markUp(now);

        assertEquals(State.CLOSED, breaker.state());
        assertEquals(createdAt, breaker.health(now).lastChange());
    }

    // --- health view

    @Test
    void givenAFreshBreaker_thenHealthReportsClosedWithNoErrorNoCooldownAndItsCreationTime() {
        Instant createdAt = Instant.ofEpochMilli(now);
        CircuitBreaker breaker = breakerTrippingAfter(3);
        advance(Duration.ofSeconds(1));

        assertEquals(new CircuitBreaker.Health(State.CLOSED, true, Optional.empty(), createdAt, 0, Optional.empty()),
                breaker.health(now));
    }

    @Test
    void givenAnOpenCircuit_thenHealthReportsTheErrorTheChangeAndWhenItMayBeTriedAgain() {
        CircuitBreaker breaker = breakerTrippingAfter(2);
        breaker.onFailure(now, "HTTP 500");
        advance(Duration.ofSeconds(1));
        Instant openedAt = Instant.ofEpochMilli(now);
        breaker.onFailure(now, "connection reset");
        advanceMillis(200);

        assertEquals(new CircuitBreaker.Health(State.OPEN, false, Optional.of("connection reset"), openedAt, 2,
                Optional.of(openedAt.plus(BASE_COOLDOWN))), breaker.health(now));
    }

    @Test
    void givenAnOpenCircuitPastItsCooldown_thenHealthReportsItAvailableWithNoCooldown() {
        CircuitBreaker breaker = openBreaker();
        advance(BASE_COOLDOWN);

        CircuitBreaker.Health health = breaker.health(now);

        assertEquals(State.OPEN, health.state());
        assertTrue(health.available());
        assertEquals(Optional.empty(), health.coolingDownUntil());
    }

    @Test
    void givenA429Cooldown_thenHealthReportsWhenItEnds() {
        CircuitBreaker breaker = breakerTrippingAfter(3);
        Instant coolingSince = Instant.ofEpochMilli(now);

        breaker.coolDown(now, Duration.ofSeconds(30), "HTTP 429");

        CircuitBreaker.Health health = breaker.health(now);
        assertEquals(State.CLOSED, health.state());
        assertFalse(health.available());
        assertEquals(Optional.of("HTTP 429"), health.lastError());
        assertEquals(coolingSince, health.lastChange());
        assertEquals(Optional.of(coolingSince.plusSeconds(30)), health.coolingDownUntil());

        advance(Duration.ofSeconds(30));
        assertEquals(Optional.empty(), breaker.health(now).coolingDownUntil());
    }

    @Test
    void givenTheStateChanges_thenHealthReportsTheTimeOfEachChange() {
        CircuitBreaker breaker = openBreaker();
        advance(BASE_COOLDOWN);
        Instant probedAt = Instant.ofEpochMilli(now);
        breaker.tryAcquire(now);
        assertEquals(probedAt, breaker.health(now).lastChange());

        advance(Duration.ofMillis(300));
        Instant closedAt = Instant.ofEpochMilli(now);
        breaker.onSuccess(now);

        assertEquals(State.CLOSED, breaker.health(now).state());
        assertEquals(closedAt, breaker.health(now).lastChange());
        assertEquals(Optional.of("HTTP 502"), breaker.health(now).lastError(), "the last error is kept for the admin");
    }

    @Test
    void givenInvalidSettings_thenTheyAreRejected() {
        assertThrows(IllegalArgumentException.class, () -> breakerSettings().trippingAfterConsecutive(0).build());
        assertThrows(IllegalArgumentException.class, () -> breakerSettings().trippingAtRatio(0, 10).build());
        assertThrows(IllegalArgumentException.class, () -> breakerSettings().trippingAtRatio(1.5, 10).build());
        assertThrows(IllegalArgumentException.class, () -> breakerSettings().trippingAtRatio(0.5, 0).build());
        assertThrows(IllegalArgumentException.class, () -> breakerSettings().overWindow(Duration.ZERO).build());
        assertThrows(IllegalArgumentException.class,
                () -> breakerSettings().coolingDown(Duration.ofSeconds(10), Duration.ofSeconds(5)).build());
        assertThrows(IllegalArgumentException.class,
                () -> breakerSettings().coolingDown(Duration.ofSeconds(-1), Duration.ofSeconds(5)).build());
        CircuitBreaker.Settings.defaults();
    }

    /** How long the open circuit keeps the backend out, read from its health. */
    private Duration cooldownLeft(CircuitBreaker breaker) {
        Instant until = breaker.health(now).coolingDownUntil().orElseThrow(() -> new AssertionError("not cooling down"));
        return Duration.between(Instant.ofEpochMilli(now), until);
    }

    // --- events

    @Test
    void givenAListener_whenTheCircuitOpensProbesAndCloses_thenEachChangeIsToldOnceWithItsReason() {
        List<HealthEvent> events = new ArrayList<>();
        CircuitBreaker breaker = new CircuitBreaker(breakerSettings().trippingAfterConsecutive(2)
                .coolingDown(BASE_COOLDOWN, MAX_COOLDOWN).build(), now, events::add);

        breaker.onFailure(now, "HTTP 502");
        assertTrue(events.isEmpty(), "one failure does not trip a breaker that needs two");
        breaker.onFailure(now, "HTTP 503");
        long openedAt = now;
        advance(BASE_COOLDOWN);
        assertTrue(breaker.tryAcquire(now));
        breaker.onSuccess(now);
        breaker.onSuccess(now);

        assertEquals(List.of(HealthEvent.Kind.OPENED, HealthEvent.Kind.HALF_OPEN, HealthEvent.Kind.CLOSED),
                events.stream().map(HealthEvent::kind).toList());
        HealthEvent opened = events.getFirst();
        assertEquals(Instant.ofEpochMilli(openedAt), opened.at());
        assertEquals(Optional.of("HTTP 503"), opened.reason());
        assertEquals(Optional.of(Instant.ofEpochMilli(openedAt + BASE_COOLDOWN.toMillis())), opened.until());
        assertEquals(Optional.of("probe request succeeded"), events.get(2).reason());
    }

    @Test
    void givenAListener_whenToldToCoolDown_thenTheCooldownIsToldWithItsEnd_andAShorterOneIsNot() {
        List<HealthEvent> events = new ArrayList<>();
        CircuitBreaker breaker = new CircuitBreaker(breakerSettings().build(), now, events::add);

        breaker.coolDown(now, Duration.ofSeconds(30), "HTTP 429");
        breaker.coolDown(now, Duration.ofSeconds(5), "HTTP 429");

        assertEquals(1, events.size());
        assertEquals(HealthEvent.Kind.COOLING_DOWN, events.getFirst().kind());
        assertEquals(Optional.of(Instant.ofEpochMilli(now + 30_000)), events.getFirst().until());
    }

    @Test
    void givenAVeryLongError_thenTheEventKeepsItsStartOnly() {
        HealthEvent event = new HealthEvent(HealthEvent.Kind.OPENED, Instant.EPOCH, Optional.of("x".repeat(2000)), Optional.empty());
        assertEquals(HealthEvent.MAX_REASON, event.reason().orElseThrow().length());
    }
}
