package dev.sluice.application.port;

import dev.sluice.domain.usage.RequestRecord;

import java.util.Optional;

/** Reads the written request log (admin views; never on the request path). */
@FunctionalInterface
public interface RequestLogReader {
    Optional<RequestRecord> find(String requestId);
}
