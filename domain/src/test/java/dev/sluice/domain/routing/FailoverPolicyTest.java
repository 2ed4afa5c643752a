package dev.sluice.domain.routing;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.time.Duration;
import java.util.Optional;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class FailoverPolicyTest {
    private static final int RETRY_LIMIT = 2;
    private static final double NO_JITTER = 0.0;
    private static final FailoverDecision DELIVER = new FailoverDecision.Deliver();
    private static final FailoverDecision SWITCH_WITHOUT_COOLDOWN = new FailoverDecision.SwitchBackend(Duration.ZERO);

    private final FailoverPolicy policy = new FailoverPolicy(Duration.ofMillis(100), Duration.ofSeconds(2));

    @ParameterizedTest(name = "{0}")
    @ValueSource(ints = {200, 201, 204, 299})
    void givenA2xx_thenTheAnswerIsDelivered(int code) {
        assertEquals(DELIVER, policy.decide(status(code), 0, RETRY_LIMIT, NO_JITTER));
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(ints = {500, 502, 503, 504})
    void givenA5xx_thenTheSameBackendIsRetriedUpToItsLimitAndThenSwitched(int code) {
        assertRetriesThenSwitches(status(code));
    }

    @Test
    void givenConnectionRefused_thenTheSameBackendIsRetriedUpToItsLimitAndThenSwitched() {
        assertRetriesThenSwitches(new AttemptOutcome.ConnectFailed());
    }

    @Test
    void givenConnectionReset_thenTheSameBackendIsRetriedUpToItsLimitAndThenSwitched() {
        assertRetriesThenSwitches(new AttemptOutcome.ConnectionBroken());
    }

    @Test
    void givenA401_thenTheBackendIsSwitchedAtOnceWithoutCooldown() {
        assertEquals(SWITCH_WITHOUT_COOLDOWN, policy.decide(status(401), 0, RETRY_LIMIT, NO_JITTER));
    }

    @Test
    void givenA403_thenTheBackendIsSwitchedAtOnceWithoutCooldown() {
        assertEquals(SWITCH_WITHOUT_COOLDOWN, policy.decide(status(403), 0, RETRY_LIMIT, NO_JITTER));
    }

    @Test
    void givenA429WithRetryAfter_thenTheBackendIsSwitchedAtOnceAndCoolsDownThatLong() {
        AttemptOutcome tooMany = new AttemptOutcome.Status(429, Optional.of(Duration.ofSeconds(30)));

        assertEquals(new FailoverDecision.SwitchBackend(Duration.ofSeconds(30)),
                policy.decide(tooMany, 0, RETRY_LIMIT, NO_JITTER));
    }

    @Test
    void givenA429WithoutRetryAfter_thenTheBackendIsSwitchedAtOnceWithoutCooldown() {
        assertEquals(SWITCH_WITHOUT_COOLDOWN, policy.decide(status(429), 0, RETRY_LIMIT, NO_JITTER));
        assertEquals(SWITCH_WITHOUT_COOLDOWN,
                policy.decide(new AttemptOutcome.Status(429, null), 0, RETRY_LIMIT, NO_JITTER), "a null header is absent");
    }

    @Test
    void givenATimeout_thenTheBackendIsSwitchedAtOnceWithoutCooldown() {
        assertEquals(SWITCH_WITHOUT_COOLDOWN, policy.decide(new AttemptOutcome.TimedOut(), 0, RETRY_LIMIT, NO_JITTER));
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(ints = {400, 404, 408, 413, 422})
    void givenAnyOther4xx_thenTheClientsOwnMistakeIsDeliveredUnchanged(int code) {
        assertEquals(DELIVER, policy.decide(status(code), 0, RETRY_LIMIT, NO_JITTER));
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(ints = {301, 302, 304, 307})
    void givenA3xx_thenTheAnswerIsDelivered(int code) {
        assertEquals(DELIVER, policy.decide(status(code), 0, RETRY_LIMIT, NO_JITTER));
    }

    @Test
    void givenRetryLimitZero_thenRetryableFailuresSwitchImmediately() {
        for (AttemptOutcome failure : new AttemptOutcome[]{status(500), status(503),
                new AttemptOutcome.ConnectFailed(), new AttemptOutcome.ConnectionBroken()}) {
            assertEquals(SWITCH_WITHOUT_COOLDOWN, policy.decide(failure, 0, 0, NO_JITTER), failure.toString());
        }
    }

    @Test
    void givenNoJitter_thenBackoffIsHalfOfBaseTimesTwoToTheRetryAndStopsGrowingAtTheCap() {
        // Equal jitter: the fixed half of min(100 ms × 2^retry, 2 s).
        long[] expectedMillis = {50, 100, 200, 400, 800, 1_000, 1_000, 1_000};
        for (int retry = 0; retry < expectedMillis.length; retry++) {
            assertEquals(Duration.ofMillis(expectedMillis[retry]), policy.backoff(retry, NO_JITTER), "retry " + retry);
        }
        assertEquals(Duration.ofMillis(1_000), policy.backoff(1_000, NO_JITTER), "no overflow for many retries");
    }

    @Test
    void givenFullJitter_thenBackoffReachesAlmostTheCappedValueButNeverMore() {
        double almostOne = Math.nextDown(1.0);
        assertEquals(Duration.ofMillis(99), policy.backoff(0, almostOne));
        assertEquals(Duration.ofMillis(1_599), policy.backoff(4, almostOne));
        assertEquals(Duration.ofMillis(1_999), policy.backoff(10, almostOne));
    }

    @Test
    void givenAnyJitter_thenBackoffStaysBetweenHalfAndAllOfTheCappedValue() {
        Random random = new Random(7L);
        for (int i = 0; i < 10_000; i++) {
            int retry = random.nextInt(12);
            double jitter = random.nextDouble();
            long capped = Math.min(100L << retry, 2_000L);

            long backoff = policy.backoff(retry, jitter).toMillis();

            assertTrue(backoff >= capped / 2 && backoff <= capped,
                    "retry " + retry + ", jitter " + jitter + ": " + backoff + " ms outside [" + capped / 2 + ", " + capped + "]");
        }
    }

    @Test
    void givenJitterOutsideZeroToOne_thenBackoffStillStaysWithinTheCappedRange() {
        assertEquals(Duration.ofMillis(50), policy.backoff(0, -3.0));
        assertEquals(Duration.ofMillis(99), policy.backoff(0, 1.0));
        assertEquals(Duration.ofMillis(99), policy.backoff(0, 42.0));
        assertEquals(Duration.ofMillis(50), policy.backoff(0, Double.NaN));
    }

    @Test
    void givenARetry_thenItsBackoffIsTheJitteredExponentialOne() {
        FailoverDecision decision = policy.decide(status(502), 3, 5, 0.5);

        FailoverDecision.RetrySameBackend retry = assertInstanceOf(FailoverDecision.RetrySameBackend.class, decision);
        assertEquals(policy.backoff(3, 0.5), retry.backoff());
        assertEquals(Duration.ofMillis(600), retry.backoff());
    }

    @Test
    void givenZeroBaseBackoff_thenRetriesAreImmediate() {
        FailoverPolicy noWait = new FailoverPolicy(Duration.ZERO, Duration.ZERO);

        assertEquals(new FailoverDecision.RetrySameBackend(Duration.ZERO), noWait.decide(status(500), 0, 1, 0.9));
    }

    @Test
    void givenBaseAboveMaxOrNegative_thenThePolicyIsRejected() {
        assertThrows(IllegalArgumentException.class, () -> new FailoverPolicy(Duration.ofSeconds(3), Duration.ofSeconds(2)));
        assertThrows(IllegalArgumentException.class, () -> new FailoverPolicy(Duration.ofMillis(-1), Duration.ofSeconds(2)));
    }

    @Test
    void theDefaultsAreAHundredMillisecondsDoublingUpToTwoSeconds() {
        FailoverPolicy defaults = FailoverPolicy.defaults();

        assertEquals(Duration.ofMillis(50), defaults.backoff(0, NO_JITTER));
        assertEquals(Duration.ofMillis(1_000), defaults.backoff(20, NO_JITTER));
    }

    private void assertRetriesThenSwitches(AttemptOutcome failure) {
        for (int retriesSoFar = 0; retriesSoFar < RETRY_LIMIT; retriesSoFar++) {
            assertEquals(new FailoverDecision.RetrySameBackend(policy.backoff(retriesSoFar, NO_JITTER)),
                    policy.decide(failure, retriesSoFar, RETRY_LIMIT, NO_JITTER), "after " + retriesSoFar + " retries");
        }
        assertEquals(SWITCH_WITHOUT_COOLDOWN, policy.decide(failure, RETRY_LIMIT, RETRY_LIMIT, NO_JITTER), "limit reached");
        assertEquals(SWITCH_WITHOUT_COOLDOWN, policy.decide(failure, RETRY_LIMIT + 1, RETRY_LIMIT, NO_JITTER), "past the limit");
    }

    private static AttemptOutcome status(int code) {
        return new AttemptOutcome.Status(code, Optional.empty());
    }
}
