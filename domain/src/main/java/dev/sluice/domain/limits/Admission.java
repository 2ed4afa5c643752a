package dev.sluice.domain.limits;

/** Whether a request may go now, must wait, or can never go under these limits. */
public sealed interface Admission {
    /** Admitted: the permit must be settled (or released) when the request ends. */
    record Admitted(Permit permit) implements Admission {
    }

    /**
     * Not now. {@code retryAt} is when a window will have room (epoch millis), or
     * {@link Long#MAX_VALUE} when only a finishing request (a concurrency slot) can make room.
     */
    record Wait(long retryAt, String limit) implements Admission {
    }

    /** Never under these limits (the request alone exceeds {@code limit}). */
    record Never(String limit, long limitValue, long requested) implements Admission {
    }
}
