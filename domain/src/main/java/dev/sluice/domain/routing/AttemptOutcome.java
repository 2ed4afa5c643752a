package dev.sluice.domain.routing;

import java.time.Duration;
import java.util.Optional;

/** How one attempt at a backend ended, before anything reached the client. */
public sealed interface AttemptOutcome {
    /** The backend answered with an HTTP status; {@code retryAfter} from its Retry-After header. */
    record Status(int code, Optional<Duration> retryAfter) implements AttemptOutcome {
        public Status {
            retryAfter = retryAfter == null ? Optional.empty() : retryAfter;
        }
    }

    /** The connection could not be made, or was refused. */
    record ConnectFailed() implements AttemptOutcome {
    }

    /** The connection broke (reset, closed, malformed answer). */
    record ConnectionBroken() implements AttemptOutcome {
    }

    /** No answer within the backend's timeout. */
    record TimedOut() implements AttemptOutcome {
    }

    default boolean isSuccess() {
        return this instanceof Status s && s.code() >= 200 && s.code() < 300;
    }
}
