package dev.sluice.application.proxy;

import dev.sluice.domain.openai.Endpoint;

import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * A request as the HTTP edge received it: who claims to call (bearer key, App-Name header) and
 * the raw body bytes. {@code receivedNanos} is {@link System#nanoTime()} at arrival; {@code maxWait}
 * is how long the client accepts to wait in the queue (the {@code X-Sluice-Max-Wait} header).
 */
public record ProxyCall(
        String requestId,
        Endpoint endpoint,
        Optional<String> bearerToken,
        Optional<String> appName,
        byte[] body,
        Instant receivedAt,
        long receivedNanos,
        Optional<Duration> maxWait) {

    public ProxyCall {
        Objects.requireNonNull(requestId, "requestId");
        bearerToken = bearerToken == null ? Optional.empty() : bearerToken;
        appName = appName == null ? Optional.empty() : appName;
        body = body == null ? new byte[0] : body;
        Objects.requireNonNull(receivedAt, "receivedAt");
        maxWait = maxWait == null ? Optional.empty() : maxWait;
    }

    /** A call without a client-chosen queue wait ({@code X-Sluice-Max-Wait}). */
    public ProxyCall(String requestId, Endpoint endpoint, Optional<String> bearerToken, Optional<String> appName,
                     byte[] body, Instant receivedAt, long receivedNanos) {
        this(requestId, endpoint, bearerToken, appName, body, receivedAt, receivedNanos, Optional.empty());
    }

    @Override
    public String toString() {
        return "ProxyCall[" + requestId + " " + endpoint + ", " + body.length + " bytes]";
    }
}
