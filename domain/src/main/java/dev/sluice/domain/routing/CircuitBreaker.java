package dev.sluice.domain.routing;

import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.Optional;

/**
 * Passive health of one backend. Consecutive failures, or a failure ratio over a sliding window,
 * open the circuit for a cooldown that doubles each time it reopens (up to a cap). When the
 * cooldown ends, one probe request is let through (half-open): success closes the circuit,
 * failure reopens it for longer. Separately, a backend can be told to cool down for a given time
 * (a 429 with Retry-After) without counting as broken. Time is passed in (epoch millis).
 */
public final class CircuitBreaker {
    public enum State { CLOSED, OPEN, HALF_OPEN }

    /** How sensitive the breaker is. */
    public record Settings(int consecutiveFailures, double failureRatio, int minimumRequests, Duration window,
                           Duration baseCooldown, Duration maxCooldown) {
        public static Settings defaults() {
            return new Settings(5, 0.5, 20, Duration.ofSeconds(30), Duration.ofSeconds(10), Duration.ofMinutes(5));
        }

        public Settings {
            if (consecutiveFailures < 1 || failureRatio <= 0 || failureRatio > 1 || minimumRequests < 1
                    || window.isNegative() || window.isZero() || baseCooldown.isNegative() || maxCooldown.compareTo(baseCooldown) < 0) {
                throw new IllegalArgumentException("invalid circuit breaker settings");
            }
        }
    }

    /** A read-only view for the admin API. */
    public record Health(State state, boolean available, Optional<String> lastError, Instant lastChange,
                         int consecutiveFailures, Optional<Instant> coolingDownUntil) {
    }

    private static final int BUCKETS = 10;

    private final Settings settings;
    private final HealthEvent.Listener listener;
    private State state = State.CLOSED;
    private int consecutive;
    private int timesOpened;
    private long openUntil;
    private long cooldownUntil;
    private boolean probeInFlight;
    private String lastError;
    private long lastChange;
    private final long[] bucketStart = new long[BUCKETS];
    private final int[] successes = new int[BUCKETS];
    private final int[] failures = new int[BUCKETS];

    public CircuitBreaker(Settings settings, long nowMillis) {
        this(settings, nowMillis, HealthEvent.Listener.NONE);
    }

    /** A breaker that tells {@code listener} of every change of state and every cooldown. */
    public CircuitBreaker(Settings settings, long nowMillis, HealthEvent.Listener listener) {
        this.settings = settings;
        this.lastChange = nowMillis;
        this.listener = listener;
    }

    /** Whether a request may be sent now (does not take the half-open probe slot). */
    public synchronized boolean available(long now) {
        if (now < cooldownUntil) {
            return false;
        }
        return switch (state) {
            case CLOSED -> true;
            case OPEN -> now >= openUntil;
            case HALF_OPEN -> !probeInFlight;
        };
    }

    /** Takes permission to send one request; in half-open state only one request (the probe) gets it. */
    public synchronized boolean tryAcquire(long now) {
        if (!available(now)) {
            return false;
        }
        if (state == State.OPEN) {
            transition(State.HALF_OPEN, now, "cooldown over; one probe request let through");
        }
        if (state == State.HALF_OPEN) {
            probeInFlight = true;
        }
        return true;
    }

    public synchronized void onSuccess(long now) {
        consecutive = 0;
        bucket(now, true);
        probeInFlight = false;
        if (state != State.CLOSED) {
            timesOpened = 0;
            transition(State.CLOSED, now, "probe request succeeded");
        }
    }

    public synchronized void onFailure(long now, String error) {
        consecutive++;
        lastError = error;
        bucket(now, false);
        probeInFlight = false;
        if (state == State.HALF_OPEN || (state == State.CLOSED && tripped(now))) {
            open(now);
        }
    }

    /** The request ended without telling anything about the backend (the client left): free the probe slot. */
    public synchronized void onAbandoned() {
        probeInFlight = false;
    }

    /** Keeps the backend out of rotation until {@code now + duration} (a 429 with Retry-After). */
    public synchronized void coolDown(long now, Duration duration, String reason) {
        long until = now + Math.max(0, duration.toMillis());
        if (until > cooldownUntil) {
            cooldownUntil = until;
            lastError = reason;
            lastChange = now;
            listener.on(new HealthEvent(HealthEvent.Kind.COOLING_DOWN, Instant.ofEpochMilli(now), Optional.ofNullable(reason),
                    Optional.of(Instant.ofEpochMilli(until))));
        }
    }

    /** An active health check failed: out of rotation until a check succeeds (or a probe does). */
    public synchronized void markDown(long now, String error) {
        markDown(now, error, Duration.ZERO);
    }

    /**
     * An active health check failed: out of rotation until a check succeeds, and at least until
     * {@code now + untilNextCheck} (when the next check has had time to answer), so an expired
     * cooldown does not let traffic back in while the checks still fail.
     */
    public synchronized void markDown(long now, String error, Duration untilNextCheck) {
        lastError = error;
        if (state != State.OPEN || now >= openUntil) {
            open(now);
        }
        openUntil = Math.max(openUntil, now + Math.max(0, untilNextCheck.toMillis()));
        probeInFlight = false;
    }

    /** An active health check succeeded. */
    public synchronized void markUp(long now) {
        if (state != State.CLOSED) {
            consecutive = 0;
            timesOpened = 0;
            probeInFlight = false;
            transition(State.CLOSED, now, "health check succeeded");
        }
    }

    public synchronized Health health(long now) {
        return new Health(state, available(now), Optional.ofNullable(lastError), Instant.ofEpochMilli(lastChange), consecutive,
                now < cooldownUntil ? Optional.of(Instant.ofEpochMilli(cooldownUntil))
                        : state == State.OPEN && now < openUntil ? Optional.of(Instant.ofEpochMilli(openUntil)) : Optional.empty());
    }

    public synchronized State state() {
        return state;
    }

    private void open(long now) {
        long cooldown = settings.baseCooldown().toMillis() << Math.min(timesOpened, 20);
        cooldown = Math.min(cooldown, settings.maxCooldown().toMillis());
        timesOpened++;
        openUntil = now + cooldown;
        transition(State.OPEN, now, lastError);
    }

    private void transition(State next, long now, String reason) {
        if (state != next) {
            state = next;
            lastChange = now;
            HealthEvent.Kind kind = switch (next) {
                case OPEN -> HealthEvent.Kind.OPENED;
                case HALF_OPEN -> HealthEvent.Kind.HALF_OPEN;
                case CLOSED -> HealthEvent.Kind.CLOSED;
            };
            listener.on(new HealthEvent(kind, Instant.ofEpochMilli(now), Optional.ofNullable(reason),
                    next == State.OPEN ? Optional.of(Instant.ofEpochMilli(openUntil)) : Optional.empty()));
            if (next == State.CLOSED) {
                // Failures from before the outage must not reopen a circuit that has just recovered.
                Arrays.fill(successes, 0);
                Arrays.fill(failures, 0);
            }
        }
    }

    private boolean tripped(long now) {
        if (consecutive >= settings.consecutiveFailures()) {
            return true;
        }
        long windowStart = now - settings.window().toMillis();
        int ok = 0;
        int bad = 0;
        for (int i = 0; i < BUCKETS; i++) {
            if (bucketStart[i] > windowStart) {
                ok += successes[i];
                bad += failures[i];
            }
        }
        int total = ok + bad;
        return total >= settings.minimumRequests() && bad >= settings.failureRatio() * total;
    }

    private void bucket(long now, boolean success) {
        long width = Math.max(1, settings.window().toMillis() / BUCKETS);
        long start = now - Math.floorMod(now, width);
        int i = (int) Math.floorMod(start / width, (long) BUCKETS);
        if (bucketStart[i] != start) {
            bucketStart[i] = start;
            successes[i] = 0;
            failures[i] = 0;
        }
        if (success) {
            successes[i]++;
        } else {
            failures[i]++;
        }
    }
}
