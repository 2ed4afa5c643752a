package dev.sluice.domain.routing;

import dev.sluice.domain.backend.Backend;

import java.util.UUID;

/** One way to serve a public model: a backend and the model name to send it. */
public record Route(Backend backend, String upstreamModel) implements SmoothWeightedRoundRobin.Member {
    @Override
    public UUID memberId() {
        return backend.id();
    }

    @Override
    public int weight() {
        return backend.weight();
    }
}
