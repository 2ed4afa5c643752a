package dev.sluice.domain.usage;

import java.util.Optional;
import java.util.OptionalInt;
import java.util.UUID;

/**
 * One attempt at a backend within a request: which backend, how it ended (an HTTP status, or an
 * error kind such as {@code connect}, {@code timeout}, {@code reset}), and how long it took.
 */
public record AttemptRecord(int number, UUID backendId, String backendName, OptionalInt status, Optional<String> error,
                            long latencyMicros) {
    public AttemptRecord {
        status = status == null ? OptionalInt.empty() : status;
        error = error == null ? Optional.empty() : error;
    }
}
