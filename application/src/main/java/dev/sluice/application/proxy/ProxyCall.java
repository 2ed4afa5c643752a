package dev.sluice.application.proxy;

import dev.sluice.domain.openai.Endpoint;

import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * A request as the HTTP edge received it: who claims to call (bearer key, App-Name header) and
 * the raw body bytes. {@code receivedNanos} is {@link System#nanoTime()} at arrival.
 */
public record ProxyCall(
        String requestId,
        Endpoint endpoint,
        Optional<String> bearerToken,
        Optional<String> appName,
        byte[] body,
        Instant receivedAt,
        long receivedNanos) {

    public ProxyCall {
        Objects.requireNonNull(requestId, "requestId");
        bearerToken = bearerToken == null ? Optional.empty() : bearerToken;
        appName = appName == null ? Optional.empty() : appName;
        body = body == null ? new byte[0] : body;
        Objects.requireNonNull(receivedAt, "receivedAt");
    }

    @Override
    public String toString() {
        return "ProxyCall[" + requestId + " " + endpoint + ", " + body.length + " bytes]";
    }
}
