package dev.sluice.adapters.edge.proxy;

import java.time.Duration;

/**
 * The proxy port's listener.
 *
 * @param host          address to bind ({@code 0.0.0.0} for all interfaces)
 * @param port          port to bind; 0 picks a free one
 * @param maxBodyBytes  largest request body accepted (larger ones get 413)
 * @param idleTimeout   an idle keep-alive client connection is closed after this long
 */
public record ProxyServerSettings(String host, int port, int maxBodyBytes, Duration idleTimeout) {
    public ProxyServerSettings {
        if (maxBodyBytes < 1024) {
            throw new IllegalArgumentException("maxBodyBytes must be at least 1024");
        }
    }
}
