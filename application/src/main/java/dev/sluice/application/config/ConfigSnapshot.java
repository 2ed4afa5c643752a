package dev.sluice.application.config;

import dev.sluice.domain.app.KeyTable;
import dev.sluice.domain.routing.RoutingTable;

import java.time.Instant;

/** Everything the request path needs, immutable, swapped as a whole when the configuration changes. */
public record ConfigSnapshot(RoutingTable routing, KeyTable keys, long version, Instant loadedAt) {
    public static final ConfigSnapshot EMPTY = new ConfigSnapshot(RoutingTable.empty(), KeyTable.empty(), 0, Instant.EPOCH);
}
