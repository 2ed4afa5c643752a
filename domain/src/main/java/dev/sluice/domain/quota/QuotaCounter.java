package dev.sluice.domain.quota;

import java.time.Instant;

/**
 * What one scope (a backend or an app) used in its current quota period. A request reserves one
 * request and its token estimate; the estimate is settled to the real usage when it ends. When
 * the period ends the counter starts again at zero. Thread-safe.
 */
public final class QuotaCounter {
    private QuotaPeriod period;
    private long requests;
    private long tokens;
    private boolean dirty;

    public QuotaCounter(QuotaPeriod period, long requests, long tokens) {
        this.period = period;
        this.requests = requests;
        this.tokens = tokens;
    }

    /** The outcome of a quota check. */
    public sealed interface Check {
        record Within() implements Check {
        }

        /** Spent until {@code resetAt}. */
        record Exhausted(Instant resetAt, String what) implements Check {
        }
    }

    /** A reservation to settle: the period it was taken in and the tokens it reserved. */
    public record Reservation(Instant periodStart, long estimate) {
    }

    /** The counter's state for storage and views. */
    public record Snapshot(QuotaPeriod period, long requests, long tokens) {
    }

    public synchronized Check check(Quota quota, Instant now, long estimate) {
        roll(quota, now);
        if (quota.requestsPerPeriod().isPresent() && requests + 1 > quota.requestsPerPeriod().getAsLong()) {
            return new Check.Exhausted(period.end(), "requests");
        }
        if (quota.tokensPerPeriod().isPresent() && tokens + estimate > quota.tokensPerPeriod().getAsLong()) {
            return new Check.Exhausted(period.end(), "tokens");
        }
        return new Check.Within();
    }

    public synchronized Reservation reserve(Quota quota, Instant now, long estimate) {
        roll(quota, now);
        requests++;
        tokens += estimate;
        dirty = true;
        return new Reservation(period.start(), estimate);
    }

    /** Corrects a reservation to the real token count, if its period is still the current one. */
    public synchronized void settle(Reservation reservation, long actualTokens) {
        if (reservation.periodStart().equals(period.start())) {
            tokens = Math.max(0, tokens + actualTokens - reservation.estimate());
            dirty = true;
        }
    }

    public synchronized Snapshot snapshot(Quota quota, Instant now) {
        roll(quota, now);
        return new Snapshot(period, requests, tokens);
    }

    /** The state if it changed since the last call (for periodic storage), else null. */
    public synchronized Snapshot takeIfDirty() {
        if (!dirty) {
            return null;
        }
        dirty = false;
        return new Snapshot(period, requests, tokens);
    }

    private void roll(Quota quota, Instant now) {
        if (!period.contains(now)) {
            period = quota.periodAt(now);
            requests = 0;
            tokens = 0;
            dirty = true;
        }
    }
}
