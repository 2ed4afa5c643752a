package dev.sluice.bootstrap.e2e;

import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;

/** Test data builder for a backend as the admin API takes it: {@code aBackend().at(stub).serving("gpt", "slow")}. */
final class BackendSpec {
    private String name = "backend-" + UUID.randomUUID().toString().substring(0, 8);
    private String baseUrl;
    private String apiKey;
    private Integer priority;
    private Integer weight;
    private Integer timeoutMs;
    private Boolean enabled;
    private Integer retry;
    private Boolean streamSupport;
    private Boolean nonStreamSupport;
    private Integer healthCheckIntervalMs;
    private Integer healthCheckTimeoutMs;
    private final Map<String, String> headers = new LinkedHashMap<>();
    private final Map<String, String> models = new LinkedHashMap<>();

    private BackendSpec() {
    }

    static BackendSpec aBackend() {
        return new BackendSpec();
    }

    BackendSpec named(String name) {
        this.name = name;
        return this;
    }

    BackendSpec at(StubUpstream stub) {
        return at(stub.baseUrl());
    }

    BackendSpec at(String baseUrl) {
        this.baseUrl = baseUrl;
        return this;
    }

    BackendSpec withApiKey(String apiKey) {
        this.apiKey = apiKey;
        return this;
    }

    BackendSpec withPriority(int priority) {
        this.priority = priority;
        return this;
    }

    BackendSpec withWeight(int weight) {
        this.weight = weight;
        return this;
    }

    /** How often the gateway retries this backend after a 5xx, a refused or a reset connection. */
    BackendSpec withRetry(int retry) {
        this.retry = retry;
        return this;
    }

    /** The backend only answers streamed requests ({@code nonStreamSupport: false}). */
    BackendSpec streamOnly() {
        this.nonStreamSupport = false;
        return this;
    }

    /** The backend only answers non-streamed requests ({@code streamSupport: false}). */
    BackendSpec nonStreamOnly() {
        this.streamSupport = false;
        return this;
    }

    /** An active health check of the default path ({@code /models}). */
    BackendSpec withHealthCheck(int intervalMs, int timeoutMs) {
        this.healthCheckIntervalMs = intervalMs;
        this.healthCheckTimeoutMs = timeoutMs;
        return this;
    }

    BackendSpec withTimeoutMs(int timeoutMs) {
        this.timeoutMs = timeoutMs;
        return this;
    }

    BackendSpec disabled() {
        this.enabled = false;
        return this;
    }

    BackendSpec enabled() {
        this.enabled = true;
        return this;
    }

    BackendSpec withHeader(String name, String value) {
        headers.put(name, value);
        return this;
    }

    /** The backend serves {@code publicModel}, asking the stub for {@code upstreamModel}. */
    BackendSpec serving(String publicModel, String upstreamModel) {
        models.put(publicModel, upstreamModel);
        return this;
    }

    String name() {
        return name;
    }

    String toJson() {
        ObjectNode json = AdminApi.JSON.createObjectNode();
        json.put("name", name);
        json.put("baseUrl", baseUrl);
        if (apiKey != null) {
            json.put("apiKey", apiKey);
        }
        if (priority != null) {
            json.put("priority", priority);
        }
        if (weight != null) {
            json.put("weight", weight);
        }
        if (timeoutMs != null) {
            json.put("timeoutMs", timeoutMs);
        }
        if (enabled != null) {
            json.put("enabled", enabled);
        }
        if (retry != null) {
            json.put("retry", retry);
        }
        if (streamSupport != null) {
            json.put("streamSupport", streamSupport);
        }
        if (nonStreamSupport != null) {
            json.put("nonStreamSupport", nonStreamSupport);
        }
        if (healthCheckIntervalMs != null) {
            json.putObject("healthCheck").put("enabled", true)
                    .put("intervalMs", healthCheckIntervalMs).put("timeoutMs", healthCheckTimeoutMs);
        }
        ObjectNode h = json.putObject("headers");
        headers.forEach(h::put);
        var array = json.putArray("models");
        models.forEach((publicName, upstream) -> array.addObject().put("name", publicName).put("upstreamModel", upstream));
        return json.toString();
    }
}
