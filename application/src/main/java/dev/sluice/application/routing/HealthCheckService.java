package dev.sluice.application.routing;

import dev.sluice.application.config.LiveConfiguration;
import dev.sluice.application.port.UpstreamClient;
import dev.sluice.application.port.UpstreamFailure;
import dev.sluice.application.port.UpstreamListener;
import dev.sluice.application.port.UpstreamRequest;
import dev.sluice.domain.backend.Backend;
import dev.sluice.domain.backend.HealthCheck;

import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Active health checks: every backend with a check enabled gets {@code GET {baseUrl}{path}}
 * every interval; a 2xx within the timeout marks it up, anything else down. Checks run on the
 * event loops through the upstream client; {@link #runDueChecks()} only starts the due ones.
 */
public final class HealthCheckService {
    private final LiveConfiguration configuration;
    private final UpstreamClient upstream;
    private final BackendHealth health;
    private final ConcurrentHashMap<UUID, Long> nextDue = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<UUID, Boolean> inFlight = new ConcurrentHashMap<>();

    public HealthCheckService(LiveConfiguration configuration, UpstreamClient upstream, BackendHealth health) {
        this.configuration = configuration;
        this.upstream = upstream;
        this.health = health;
    }

    /** Starts the checks that are due; returns how many were started. */
    public int runDueChecks() {
        long now = health.now();
        int started = 0;
        for (Backend backend : configuration.current().backends()) {
            HealthCheck check = backend.options().healthCheck();
            if (!backend.enabled() || !check.enabled()) {
                continue;
            }
            long due = nextDue.getOrDefault(backend.id(), 0L);
            if (now < due || inFlight.putIfAbsent(backend.id(), Boolean.TRUE) != null) {
                continue;
            }
            nextDue.put(backend.id(), now + check.interval().toMillis());
            check(backend, check);
            started++;
        }
        return started;
    }

    private void check(Backend backend, HealthCheck check) {
        Map<String, String> headers = backend.requestHeaders();
        headers.put("accept", "application/json");
        UpstreamRequest request = new UpstreamRequest("GET", backend.baseUrl() + check.path(), headers, new byte[0], check.timeout());
        upstream.send(request, new UpstreamListener() {
            private boolean done;

            @Override
            public void onHead(int status, Map<String, String> responseHeaders) {
                finish(status >= 200 && status < 300, "health check answered HTTP " + status);
            }

            @Override
            public void onChunk(byte[] data) {
            }

            @Override
            public void onEnd() {
            }

            @Override
            public void onFailure(UpstreamFailure failure) {
                finish(false, "health check failed: " + failure.kind().name().toLowerCase(java.util.Locale.ROOT));
            }

            private void finish(boolean up, String error) {
                if (done) {
                    return;
                }
                done = true;
                inFlight.remove(backend.id());
                if (up) {
                    health.of(backend.id()).markUp(health.now());
                } else {
                    // down at least until the next check (due after the interval, started within a scheduler tick) has answered
                    health.of(backend.id()).markDown(health.now(), error,
                            check.interval().plus(check.timeout()).plusSeconds(1));
                }
            }
        });
    }
}
