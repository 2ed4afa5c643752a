package dev.sluice.application.testing;

import dev.sluice.application.port.RateLimitStore;
import dev.sluice.domain.limits.Admission;
import dev.sluice.domain.limits.Limiter;
import dev.sluice.domain.limits.Limits;
import dev.sluice.domain.limits.Permit;

import java.util.HashMap;
import java.util.Map;

/**
 * The rate-limit store of the application tests: one {@link Limiter} per scope, started afresh
 * when a scope's limits change, like the in-process adapter (which application tests cannot see).
 */
public final class InMemoryRateLimitStore implements RateLimitStore {
    private final Map<String, Limiter> limiters = new HashMap<>();

    @Override
    public synchronized Admission tryAdmit(String scope, Limits limits, long nowMillis, long tokens) {
        return limiter(scope, limits).tryAdmit(nowMillis, tokens);
    }

    @Override
    public synchronized boolean wouldAdmit(String scope, Limits limits, long nowMillis, long tokens) {
        return limits.isEmpty() || limiter(scope, limits).wouldAdmit(nowMillis, tokens);
    }

    @Override
    public synchronized void settle(String scope, Permit permit, long actualTokens, long nowMillis) {
        if (permit instanceof Limiter.LocalPermit local) {
            local.owner().settle(permit, actualTokens, nowMillis);
        }
    }

    @Override
    public synchronized Limiter.Usage usage(String scope, Limits limits, long nowMillis) {
        return limiter(scope, limits).usage(nowMillis);
    }

    private Limiter limiter(String scope, Limits limits) {
        Limiter current = limiters.get(scope);
        if (current == null || !current.limits().equals(limits)) {
            current = new Limiter(limits);
            limiters.put(scope, current);
        }
        return current;
    }
}
