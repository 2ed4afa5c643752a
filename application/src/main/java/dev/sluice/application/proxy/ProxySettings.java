package dev.sluice.application.proxy;

/**
 * How the proxy behaves. {@code apiKeysRequired=false} is for trusted networks: the App-Name
 * header then names the calling app.
 */
public record ProxySettings(boolean apiKeysRequired, int responseTailBytes) {
    public static final int DEFAULT_RESPONSE_TAIL_BYTES = 16 * 1024;

    public ProxySettings {
        if (responseTailBytes < 256) {
            throw new IllegalArgumentException("responseTailBytes must be at least 256");
        }
    }
}
