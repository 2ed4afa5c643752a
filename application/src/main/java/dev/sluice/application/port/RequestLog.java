package dev.sluice.application.port;

import dev.sluice.domain.usage.RequestRecord;

/**
 * Receives every finished request. Called on the request path, so an adapter must return at
 * once (buffer and write in the background) and must not lose what it accepted.
 */
@FunctionalInterface
public interface RequestLog {
    void append(RequestRecord record);
}
