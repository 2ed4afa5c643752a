package dev.sluice.application.port;

import java.time.Duration;
import java.util.Map;
import java.util.Objects;

/**
 * One HTTP request to a backend. {@code timeout} bounds the wait for the response head and
 * every later silence between two reads of the response.
 */
public record UpstreamRequest(String method, String url, Map<String, String> headers, byte[] body, Duration timeout) {
    public UpstreamRequest {
        Objects.requireNonNull(method, "method");
        Objects.requireNonNull(url, "url");
        headers = headers == null ? Map.of() : headers;
        body = body == null ? new byte[0] : body;
        Objects.requireNonNull(timeout, "timeout");
    }

    @Override
    public String toString() {
        // headers carry the backend's key: never print them
        return "UpstreamRequest[" + method + " " + url + ", " + body.length + " bytes]";
    }
}
