package dev.sluice.application.port;

import dev.sluice.domain.limits.Admission;
import dev.sluice.domain.limits.Limiter;
import dev.sluice.domain.limits.Limits;
import dev.sluice.domain.limits.Permit;

/**
 * Where the live state of rate limits is kept, per scope ({@code backend:<id>}, {@code app:<id>}).
 * The in-process adapter is exact on one instance; a shared store (Redis with atomic scripts) can
 * implement the same calls for several instances. Every call is short and non-blocking for the
 * in-process store; check-and-reserve is atomic.
 */
public interface RateLimitStore {
    /** Takes a slot in every limit of the scope for a request estimated at {@code tokens}, or says why not. */
    Admission tryAdmit(String scope, Limits limits, long nowMillis, long tokens);

    /** Whether {@link #tryAdmit} would admit now (takes nothing). */
    boolean wouldAdmit(String scope, Limits limits, long nowMillis, long tokens);

    /** Ends an admitted request: frees its concurrency slot and corrects its tokens to the real usage. */
    void settle(String scope, Permit permit, long actualTokens, long nowMillis);

    /** Current use of the scope's limits. */
    Limiter.Usage usage(String scope, Limits limits, long nowMillis);

    /** A store for setups without limits: admits everything, remembers nothing. */
    RateLimitStore UNLIMITED = new RateLimitStore() {
        private final Permit none = () -> 0;

        @Override
        public Admission tryAdmit(String scope, Limits limits, long nowMillis, long tokens) {
            return new Admission.Admitted(none);
        }

        @Override
        public boolean wouldAdmit(String scope, Limits limits, long nowMillis, long tokens) {
            return true;
        }

        @Override
        public void settle(String scope, Permit permit, long actualTokens, long nowMillis) {
        }

        @Override
        public Limiter.Usage usage(String scope, Limits limits, long nowMillis) {
            return new Limiter.Usage(0, 0, 0, 0);
        }
    };
}
