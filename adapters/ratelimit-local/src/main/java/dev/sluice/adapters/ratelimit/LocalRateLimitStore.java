package dev.sluice.adapters.ratelimit;

import dev.sluice.application.port.RateLimitStore;
import dev.sluice.domain.limits.Admission;
import dev.sluice.domain.limits.Limiter;
import dev.sluice.domain.limits.Limits;
import dev.sluice.domain.limits.Permit;

import java.util.concurrent.ConcurrentHashMap;

/**
 * Rate-limit state in this process: one {@link Limiter} per scope, exact on one instance. When
 * a scope's limits change, its state starts afresh under the new limits (permits of the old
 * state still settle against it).
 */
public final class LocalRateLimitStore implements RateLimitStore {
    private final ConcurrentHashMap<String, Limiter> limiters = new ConcurrentHashMap<>();
    private final long minuteMillis;
    private final long dayMillis;

    public LocalRateLimitStore() {
        this(60_000L, 86_400_000L);
    }

    /** With shorter windows, for time-compressed benchmarks and tests. */
    public LocalRateLimitStore(long minuteMillis, long dayMillis) {
        this.minuteMillis = minuteMillis;
        this.dayMillis = dayMillis;
    }

    @Override
    public Admission tryAdmit(String scope, Limits limits, long nowMillis, long tokens) {
        return limiter(scope, limits).tryAdmit(nowMillis, tokens);
    }

    @Override
    public boolean wouldAdmit(String scope, Limits limits, long nowMillis, long tokens) {
        return limits.isEmpty() || limiter(scope, limits).wouldAdmit(nowMillis, tokens);
    }

    @Override
    public void settle(String scope, Permit permit, long actualTokens, long nowMillis) {
        // settled against the limiter that admitted it, even if the scope's limits changed meanwhile
        if (permit instanceof Limiter.LocalPermit local) {
            local.owner().settle(permit, actualTokens, nowMillis);
        }
    }

    @Override
    public Limiter.Usage usage(String scope, Limits limits, long nowMillis) {
        return limiter(scope, limits).usage(nowMillis);
    }

    private Limiter limiter(String scope, Limits limits) {
        Limiter current = limiters.get(scope);
        if (current != null && current.limits().equals(limits)) {
            return current;
        }
        return limiters.compute(scope, (k, existing) -> existing != null && existing.limits().equals(limits)
                ? existing : new Limiter(limits, minuteMillis, dayMillis));
    }
}
