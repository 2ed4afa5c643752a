package dev.sluice.domain.routing;

import java.time.Duration;

/** What to do after one attempt at a backend. */
public sealed interface FailoverDecision {
    /** The answer goes to the client as it is (a success, or the client's own mistake). */
    record Deliver() implements FailoverDecision {
    }

    /** Try the same backend again after the backoff. */
    record RetrySameBackend(Duration backoff) implements FailoverDecision {
    }

    /** Go to the next backend now; the failed one cools down for {@code cooldown} (zero: none). */
    record SwitchBackend(Duration cooldown) implements FailoverDecision {
    }
}
