package dev.sluice.application.port;

/** Why an exchange with a backend ended without a complete response. */
public record UpstreamFailure(Kind kind, String detail) {
    public enum Kind {
        /** the connection could not be made (refused, unknown host, TLS handshake failed) */
        CONNECT,
        /** no response head, or a silence between reads, within the timeout */
        TIMEOUT,
        /** the connection broke after it was made */
        RESET,
        /** the backend answered something that is not HTTP */
        PROTOCOL,
        /** the gateway's own connection limit to that backend was reached */
        POOL_EXHAUSTED
    }
}
