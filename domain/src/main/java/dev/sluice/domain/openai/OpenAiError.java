package dev.sluice.domain.openai;

import java.nio.charset.StandardCharsets;
import java.util.Objects;

/**
 * An error in the shape OpenAI SDKs expect: {@code {"error":{"message","type","code","param"}}}
 * with the HTTP status that goes with it. Messages never carry secrets or internal URLs.
 */
public record OpenAiError(int status, String type, String code, String message, String param) {
    public OpenAiError {
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(message, "message");
    }

    public static OpenAiError invalidRequest(String message, String param) {
        return new OpenAiError(400, "invalid_request_error", "invalid_request", message, param);
    }

    public static OpenAiError invalidJson(String detail) {
        return new OpenAiError(400, "invalid_request_error", "invalid_json",
                "We could not parse the JSON body of your request: " + detail, null);
    }

    public static OpenAiError missingApiKey() {
        return new OpenAiError(401, "invalid_request_error", "missing_api_key",
                "You didn't provide an API key. Send it as 'Authorization: Bearer <key>'.", null);
    }

    public static OpenAiError invalidApiKey() {
        return new OpenAiError(401, "invalid_request_error", "invalid_api_key",
                "Incorrect API key provided, or the key was revoked.", null);
    }

    public static OpenAiError missingAppName() {
        return new OpenAiError(400, "invalid_request_error", "missing_app_name",
                "The App-Name header is required by this gateway.", "App-Name");
    }

    public static OpenAiError modelNotFound(String model) {
        return new OpenAiError(404, "invalid_request_error", "model_not_found",
                "The model '" + model + "' does not exist or you do not have access to it.", "model");
    }

    public static OpenAiError notFound(String path) {
        return new OpenAiError(404, "invalid_request_error", "unknown_url", "Unknown request URL: " + path, null);
    }

    public static OpenAiError methodNotAllowed(String method, String path) {
        return new OpenAiError(405, "invalid_request_error", "method_not_allowed",
                "Method " + method + " is not allowed for " + path, null);
    }

    public static OpenAiError bodyTooLarge(long limitBytes) {
        return new OpenAiError(413, "invalid_request_error", "request_too_large",
                "The request body exceeds the gateway's limit of " + limitBytes + " bytes.", null);
    }

    public static OpenAiError backendUnreachable(String backendName) {
        return new OpenAiError(502, "api_error", "backend_unreachable",
                "The backend '" + backendName + "' could not be reached.", null);
    }

    public static OpenAiError backendFailed(String backendName) {
        return new OpenAiError(502, "api_error", "backend_error",
                "The backend '" + backendName + "' failed while answering.", null);
    }

    public static OpenAiError backendTimeout(String backendName) {
        return new OpenAiError(504, "api_error", "backend_timeout",
                "The backend '" + backendName + "' did not answer in time.", null);
    }

    public static OpenAiError overloaded(String what) {
        return new OpenAiError(503, "api_error", "gateway_overloaded", what, null);
    }

    public static OpenAiError internal() {
        return new OpenAiError(500, "api_error", "internal_error", "The gateway failed to handle the request.", null);
    }

    public String toJson() {
        return "{\"error\":{\"message\":" + JsonScanner.quote(message)
                + ",\"type\":" + JsonScanner.quote(type)
                + ",\"code\":" + (code == null ? "null" : JsonScanner.quote(code))
                + ",\"param\":" + (param == null ? "null" : JsonScanner.quote(param))
                + "}}";
    }

    public byte[] toJsonBytes() {
        return toJson().getBytes(StandardCharsets.UTF_8);
    }

    /** The same error as one Server-Sent Event, for failures after a stream has begun. */
    public byte[] toSseEvent() {
        return ("data: " + toJson() + "\n\n").getBytes(StandardCharsets.UTF_8);
    }
}
