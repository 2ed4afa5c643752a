package dev.sluice.domain.limits;

/**
 * The live state of one set of {@link Limits} (a backend's or an app's): sliding windows for
 * requests per minute and per day and tokens per minute, and the count in flight. Admission is
 * all-or-nothing: a request takes a slot in every limit or in none. Token estimates are settled to
 * the real usage when the request ends, refunding or charging the difference. Thread-safe.
 */
public final class Limiter {
    private static final long MINUTE = 60_000L;
    private static final long DAY = 86_400_000L;

    private final Limits limits;
    private final SlidingWindow rpm;
    private final SlidingWindow tpm;
    private final SlidingWindow rpd;
    private int inFlight;

    /** What an admitted request holds until it ends. */
    public static final class LocalPermit implements Permit {
        private final Limiter owner;
        private final SlidingWindow.Entry tokens;
        private final long estimate;
        private boolean ended;

        private LocalPermit(Limiter owner, SlidingWindow.Entry tokens, long estimate) {
            this.owner = owner;
            this.tokens = tokens;
            this.estimate = estimate;
        }

        @Override
        public long estimate() {
            return estimate;
        }

        public boolean ended() {
            return ended;
        }

        /** The limiter that admitted this permit. */
        public Limiter owner() {
            return owner;
        }
    }

    public Limiter(Limits limits) {
        this(limits, MINUTE, DAY);
    }

    /** With other window lengths (tests, and a time-compressed benchmark). */
    public Limiter(Limits limits, long minuteMillis, long dayMillis) {
        this.limits = limits;
        this.rpm = limits.rpm().isPresent() ? new SlidingWindow(minuteMillis, limits.rpm().getAsInt()) : null;
        this.tpm = limits.tpm().isPresent() ? new SlidingWindow(minuteMillis, limits.tpm().getAsLong()) : null;
        this.rpd = limits.rpd().isPresent() ? new SlidingWindow(dayMillis, limits.rpd().getAsInt()) : null;
    }

    public Limits limits() {
        return limits;
    }

    /** Checks every limit for a request estimated at {@code tokens}, and takes a slot in all of them if it fits. */
    public synchronized Admission tryAdmit(long now, long tokens) {
        if (limits.tpr().isPresent() && tokens > limits.tpr().getAsLong()) {
            return new Admission.Never("tpr", limits.tpr().getAsLong(), tokens);
        }
        if (tpm != null && !tpm.canEverFit(tokens)) {
            return new Admission.Never("tpm", tpm.limit(), tokens);
        }
        // the request waits for the latest of the limits that block it
        long retryAt = Long.MIN_VALUE;
        String blocking = null;
        if (limits.maxConcurrent().isPresent() && inFlight >= limits.maxConcurrent().getAsInt()) {
            retryAt = Long.MAX_VALUE;
            blocking = "maxConcurrent";
        }
        long rpmAt = rpm == null ? now : rpm.availableAt(now, 1);
        if (rpmAt > now && rpmAt > retryAt) {
            retryAt = rpmAt;
            blocking = "rpm";
        }
        long rpdAt = rpd == null ? now : rpd.availableAt(now, 1);
        if (rpdAt > now && rpdAt > retryAt) {
            retryAt = rpdAt;
            blocking = "rpd";
        }
        long tpmAt = tpm == null ? now : tpm.availableAt(now, tokens);
        if (tpmAt > now && tpmAt > retryAt) {
            retryAt = tpmAt;
            blocking = "tpm";
        }
        if (blocking != null) {
            return new Admission.Wait(retryAt, blocking);
        }
        if (rpm != null) {
            rpm.add(now, 1);
        }
        if (rpd != null) {
            rpd.add(now, 1);
        }
        SlidingWindow.Entry tokenEntry = tpm != null ? tpm.add(now, tokens) : null;
        inFlight++;
        return new Admission.Admitted(new LocalPermit(this, tokenEntry, tokens));
    }

    /**
     * Ends an admitted request: frees its concurrency slot and corrects its token reservation to
     * {@code actualTokens} (the real usage; the estimate when usage is unknown). Idempotent.
     */
    public synchronized void settle(Permit permit, long actualTokens, long now) {
        if (!(permit instanceof LocalPermit local) || local.owner != this || local.ended) {
            return;
        }
        local.ended = true;
        inFlight--;
        if (local.tokens != null) {
            tpm.settle(local.tokens, actualTokens, now);
        }
    }

    /** Whether a request estimated at {@code tokens} would be admitted now (no slot is taken). */
    public synchronized boolean wouldAdmit(long now, long tokens) {
        if (limits.tpr().isPresent() && tokens > limits.tpr().getAsLong()) {
            return false;
        }
        if (limits.maxConcurrent().isPresent() && inFlight >= limits.maxConcurrent().getAsInt()) {
            return false;
        }
        return (rpm == null || rpm.fits(now, 1)) && (rpd == null || rpd.fits(now, 1))
                && (tpm == null || tpm.fits(now, tokens));
    }

    /** Whether a request estimated at {@code tokens} can ever be admitted here. */
    public boolean canEverAdmit(long tokens) {
        return !(limits.tpr().isPresent() && tokens > limits.tpr().getAsLong())
                && !(tpm != null && !tpm.canEverFit(tokens));
    }

    public synchronized Usage usage(long now) {
        return new Usage(inFlight, rpm == null ? 0 : rpm.used(now), tpm == null ? 0 : tpm.used(now),
                rpd == null ? 0 : rpd.used(now));
    }

    /** Current use against the limits, for the admin API. */
    public record Usage(int inFlight, long requestsLastMinute, long tokensLastMinute, long requestsLastDay) {
    }
}
