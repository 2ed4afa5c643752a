package dev.sluice.application.port;

/** Tells whether the database answers; used by readiness checks, never on the request path. */
@FunctionalInterface
public interface DatabaseProbe {
    boolean reachable();
}
