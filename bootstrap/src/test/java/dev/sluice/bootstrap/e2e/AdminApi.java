package dev.sluice.bootstrap.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/** The admin REST API over plain HTTP, with the admin token unless a test says otherwise. */
final class AdminApi {
    static final ObjectMapper JSON = new ObjectMapper();
    private static final String API = "/admin/api/v1";
    private static final Duration REQUEST_LOG_WAIT = Duration.ofSeconds(5);

    private final HttpClient http;
    private final URI base;
    private final String token;

    AdminApi(HttpClient http, URI base, String token) {
        this.http = http;
        this.base = base;
        this.token = token;
    }

    /** An admin response: status, raw body, and the body as JSON when it is JSON. */
    record Response(int status, String body, HttpHeaders headers) {
        JsonNode json() {
            try {
                return JSON.readTree(body);
            } catch (IOException e) {
                throw new AssertionError("not JSON (status " + status + "): " + body, e);
            }
        }
    }

    record IssuedKey(String id, String key, String prefix) {
    }

    Response get(String path) {
        return send("GET", path, null, token);
    }

    Response post(String path, String body) {
        return send("POST", path, body, token);
    }

    Response put(String path, String body) {
        return send("PUT", path, body, token);
    }

    Response delete(String path) {
        return send("DELETE", path, null, token);
    }

    /** {@code GET} with an {@code Accept} header. */
    Response getAccepting(String path, String accept) {
        return send("GET", path, null, token, Map.of("Accept", accept));
    }

    /** A call with the given bearer token, or none when {@code bearer} is null. */
    Response send(String method, String path, String body, String bearer) {
        return send(method, path, body, bearer, Map.of());
    }

    private Response send(String method, String path, String body, String bearer, Map<String, String> headers) {
        HttpRequest.Builder request = HttpRequest.newBuilder(base.resolve(API + path))
                .timeout(Duration.ofSeconds(15))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8));
        if (body != null) {
            request.header("Content-Type", "application/json");
        }
        if (bearer != null) {
            request.header("Authorization", "Bearer " + bearer);
        }
        headers.forEach(request::header);
        try {
            HttpResponse<String> response = http.send(request.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
            return new Response(response.statusCode(), response.body(), response.headers());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** Creates the backend and returns its id; fails the test unless the API answers 201. */
    String createBackend(BackendSpec backend) {
        Response response = post("/backends", backend.toJson());
        expect(201, response);
        return response.json().get("id").asText();
    }

    void updateBackend(String id, BackendSpec backend) {
        expect(200, put("/backends/" + id, backend.toJson()));
    }

    void deleteBackend(String id) {
        expect(204, delete("/backends/" + id));
    }

    String createApp(String name) {
        Response response = post("/apps", JSON.createObjectNode().put("name", name).toString());
        expect(201, response);
        return response.json().get("id").asText();
    }

    IssuedKey issueKey(String appId) {
        Response response = post("/apps/" + appId + "/keys", null);
        expect(201, response);
        JsonNode json = response.json();
        return new IssuedKey(json.get("id").asText(), json.get("key").asText(), json.get("prefix").asText());
    }

    /** {@code GET /backends/{id}/health}: state, available, lastError, lastChange, coolingDownUntil. */
    JsonNode backendHealth(String backendId) {
        Response response = get("/backends/" + backendId + "/health");
        expect(200, response);
        return response.json();
    }

    /** {@code GET /backends/{id}/health/history}: the backend's health events, newest first. */
    List<JsonNode> backendHealthHistory(String backendId) {
        Response response = get("/backends/" + backendId + "/health/history");
        expect(200, response);
        List<JsonNode> events = new ArrayList<>();
        response.json().get("data").forEach(events::add);
        return events;
    }

    /** {@code PUT /models/auto}: the ordered models behind {@code auto}. */
    void putAutoModels(List<String> models) {
        var body = JSON.createObjectNode();
        models.forEach(body.putArray("models")::add);
        expect(200, put("/models/auto", body.toString()));
    }

    /**
     * {@code GET /requests/{id}}, waiting (at most 5 s) for the background writer to store the
     * request: the request log row with its {@code attempts}.
     */
    JsonNode awaitRequest(String requestId) {
        return Poll.until("request " + requestId + " in the admin API", REQUEST_LOG_WAIT, () -> {
            Response response = get("/requests/" + requestId);
            if (response.status() == 404) {
                return Optional.empty();
            }
            expect(200, response);
            return Optional.of(response.json());
        });
    }

    /** A new app with one key: the key to call the proxy with. */
    String newAppKey() {
        return issueKey(createApp("app-" + UUID.randomUUID().toString().substring(0, 8))).key();
    }

    private static void expect(int status, Response response) {
        if (response.status() != status) {
            throw new AssertionError("admin API answered " + response.status() + " instead of " + status + ": " + response.body());
        }
    }
}
