package dev.sluice.domain.routing;

import dev.sluice.domain.backend.Backend;

/** One way to serve a public model: a backend and the model name to send it. */
public record Route(Backend backend, String upstreamModel) {
}
