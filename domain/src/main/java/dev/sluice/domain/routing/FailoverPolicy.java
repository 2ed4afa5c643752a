package dev.sluice.domain.routing;

import java.time.Duration;

/**
 * The failover rules, one per outcome:
 * <ul>
 *   <li>2xx → deliver.</li>
 *   <li>5xx, connection refused or broken → retry the same backend up to its retry count, with
 *       capped exponential backoff and jitter, then switch.</li>
 *   <li>401, 403, 429, timeout → switch at once; a 429 with Retry-After cools the backend down that long.</li>
 *   <li>any other status (the request's own fault) → deliver it unchanged.</li>
 * </ul>
 */
public final class FailoverPolicy {
    private final Duration baseBackoff;
    private final Duration maxBackoff;

    public FailoverPolicy(Duration baseBackoff, Duration maxBackoff) {
        if (baseBackoff.isNegative() || maxBackoff.compareTo(baseBackoff) < 0) {
            throw new IllegalArgumentException("backoff must be 0 <= base <= max");
        }
        this.baseBackoff = baseBackoff;
        this.maxBackoff = maxBackoff;
    }

    public static FailoverPolicy defaults() {
        return new FailoverPolicy(Duration.ofMillis(100), Duration.ofSeconds(2));
    }

    /**
     * @param outcome        how the attempt ended
     * @param retriesSoFar   retries already made on this backend for this request
     * @param retryLimit     the backend's retry count
     * @param jitter         a random number in [0, 1), passed in so the rule stays deterministic under test
     */
    public FailoverDecision decide(AttemptOutcome outcome, int retriesSoFar, int retryLimit, double jitter) {
        return switch (outcome) {
            case AttemptOutcome.Status s when s.code() < 400 -> new FailoverDecision.Deliver();
            case AttemptOutcome.Status s when s.code() == 429 ->
                    new FailoverDecision.SwitchBackend(s.retryAfter().orElse(Duration.ZERO));
            case AttemptOutcome.Status s when s.code() == 401 || s.code() == 403 ->
                    new FailoverDecision.SwitchBackend(Duration.ZERO);
            case AttemptOutcome.Status s when s.code() >= 500 -> retryOrSwitch(retriesSoFar, retryLimit, jitter);
            case AttemptOutcome.Status s -> new FailoverDecision.Deliver();
            case AttemptOutcome.ConnectFailed c -> retryOrSwitch(retriesSoFar, retryLimit, jitter);
            case AttemptOutcome.ConnectionBroken b -> retryOrSwitch(retriesSoFar, retryLimit, jitter);
            case AttemptOutcome.TimedOut t -> new FailoverDecision.SwitchBackend(Duration.ZERO);
        };
    }

    /** Exponential backoff (base × 2^retry), capped, with "equal jitter": half fixed, half random. */
    public Duration backoff(int retriesSoFar, double jitter) {
        long base = baseBackoff.toMillis();
        long exp = base << Math.min(retriesSoFar, 20);
        long capped = Math.min(exp, maxBackoff.toMillis());
        long half = capped / 2;
        return Duration.ofMillis(half + (long) (half * Math.max(0, Math.min(jitter, 0.999999))));
    }

    private FailoverDecision retryOrSwitch(int retriesSoFar, int retryLimit, double jitter) {
        if (retriesSoFar < retryLimit) {
            return new FailoverDecision.RetrySameBackend(backoff(retriesSoFar, jitter));
        }
        return new FailoverDecision.SwitchBackend(Duration.ZERO);
    }
}
