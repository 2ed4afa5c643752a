package dev.sluice.bootstrap;

import dev.sluice.application.port.DatabaseProbe;
import io.micronaut.scheduling.annotation.Scheduled;
import jakarta.inject.Singleton;

/**
 * Whether the gateway is ready to serve: the database answers. Probed in the background so the
 * proxy port's {@code /health} never touches JDBC on an event loop.
 */
@Singleton
final class Readiness {
    private final DatabaseProbe probe;
    private volatile boolean databaseReachable = true;

    Readiness(DatabaseProbe probe) {
        this.probe = probe;
    }

    boolean ready() {
        return databaseReachable;
    }

    @Scheduled(fixedDelay = "${sluice.health.probe-interval:5s}", initialDelay = "1s")
    void probe() {
        databaseReachable = probe.reachable();
    }
}
