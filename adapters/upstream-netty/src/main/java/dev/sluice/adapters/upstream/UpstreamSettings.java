package dev.sluice.adapters.upstream;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

/**
 * Limits and TLS trust of the upstream connection pools. Pools are per event loop and per
 * backend host, so the limits below apply to each (loop, host) pair.
 *
 * @param connectTimeout         longest wait for a TCP (and TLS) connection
 * @param maxConnectionsPerHost  open connections to one host from one event loop
 * @param maxPendingPerHost      requests that may wait for a connection when the limit is reached
 * @param idleTimeout            an idle pooled connection is closed after this long
 * @param trustStore             a PKCS12 trust store for HTTPS backends; empty means the JDK's default trust
 * @param trustStorePassword     its password
 */
public record UpstreamSettings(
        Duration connectTimeout,
        int maxConnectionsPerHost,
        int maxPendingPerHost,
        Duration idleTimeout,
        Optional<Path> trustStore,
        String trustStorePassword) {

    public static UpstreamSettings defaults() {
        return new UpstreamSettings(Duration.ofSeconds(10), 1024, 4096, Duration.ofSeconds(60), Optional.empty(), "");
    }

    public UpstreamSettings {
        trustStore = trustStore == null ? Optional.empty() : trustStore;
        trustStorePassword = trustStorePassword == null ? "" : trustStorePassword;
        if (maxConnectionsPerHost < 1 || maxPendingPerHost < 0) {
            throw new IllegalArgumentException("pool limits must be positive");
        }
    }

    @Override
    public String toString() {
        return "UpstreamSettings[connectTimeout=" + connectTimeout + ", maxConnectionsPerHost=" + maxConnectionsPerHost
                + ", maxPendingPerHost=" + maxPendingPerHost + ", idleTimeout=" + idleTimeout
                + ", trustStore=" + trustStore + "]";
    }
}
