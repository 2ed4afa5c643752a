package dev.sluice.bootstrap.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Consumer;

/**
 * The admin API's limits, quotas and queue, on top of {@link AdminApi} and {@link BackendSpec}:
 * a backend is the spec's JSON plus {@code limits}, {@code maxOutputTokens} and {@code quota}.
 */
final class LimitsAdmin {
    private final AdminApi admin;

    LimitsAdmin(AdminApi admin) {
        this.admin = admin;
    }

    /** One model's line of {@code GET /queue}. */
    record QueueLine(String model, int waiting, long oldestWaitMs, long admitted, long timedOut, long rejectedFull) {
        static final QueueLine NONE = new QueueLine("", 0, 0, 0, 0, 0);
    }

    /** One entry of {@code GET /quotas}. */
    record QuotaUse(String scope, String type, String name, Long requestsPerPeriod, Long tokensPerPeriod,
                    long requestsUsed, long tokensUsed, String resetsAt) {
    }

    /**
     * Creates the backend with extra fields set by {@code extra} on its JSON (e.g.
     * {@code b -> b.putObject("limits").put("rpm", 60)}); returns its id.
     */
    String createBackend(BackendSpec spec, Consumer<ObjectNode> extra) {
        ObjectNode json = parse(spec.toJson());
        extra.accept(json);
        AdminApi.Response response = admin.post("/backends", json.toString());
        expect(201, response);
        return response.json().get("id").asText();
    }

    /** Sets {@code "quota":{"requestsPerPeriod":n,"periodCron":cron,"timeZone":"UTC"}} (a backend's or an app's). */
    static Consumer<ObjectNode> requestQuota(long requests, String cron) {
        return json -> json.putObject("quota").put("requestsPerPeriod", requests).put("periodCron", cron).put("timeZone", "UTC");
    }

    /** An app as a test uses it. */
    record App(String id, String name, String key) {
    }

    /** A new app (its name: {@code prefix} and a random suffix) with the given limits ({@code PUT /apps/{id}/limits}) and one key. */
    App appWithLimits(String prefix, Consumer<ObjectNode> limits) {
        String name = prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
        String appId = admin.createApp(name);
        ObjectNode body = AdminApi.JSON.createObjectNode();
        limits.accept(body);
        expect(200, admin.put("/apps/" + appId + "/limits", body.toString()));
        return new App(appId, name, admin.issueKey(appId).key());
    }

    /** {@code GET /queue}: the model's line ({@link QueueLine#NONE} when nothing ever waited for it). */
    QueueLine queueLine(String model) {
        AdminApi.Response response = admin.get("/queue");
        expect(200, response);
        for (JsonNode line : response.json().get("models")) {
            if (model.equals(line.get("model").asText())) {
                return new QueueLine(model, line.get("waiting").asInt(), line.get("oldestWaitMs").asLong(),
                        line.get("admitted").asLong(), line.get("timedOut").asLong(), line.get("rejectedFull").asLong());
            }
        }
        return QueueLine.NONE;
    }

    /** {@code GET /queue}: the total waiting. */
    int queueWaiting() {
        AdminApi.Response response = admin.get("/queue");
        expect(200, response);
        return response.json().get("waiting").asInt();
    }

    Optional<QuotaUse> quota(String name) {
        AdminApi.Response response = admin.get("/quotas");
        expect(200, response);
        for (JsonNode q : response.json().get("data")) {
            if (name.equals(q.get("name").asText())) {
                return Optional.of(new QuotaUse(q.get("scope").asText(), q.get("type").asText(), q.get("name").asText(),
                        longOrNull(q.get("requestsPerPeriod")), longOrNull(q.get("tokensPerPeriod")),
                        q.get("requestsUsed").asLong(), q.get("tokensUsed").asLong(), q.get("resetsAt").asText()));
            }
        }
        return Optional.empty();
    }

    private static Long longOrNull(JsonNode node) {
        return node == null || node.isNull() ? null : node.asLong();
    }

    private static ObjectNode parse(String json) {
        try {
            return (ObjectNode) AdminApi.JSON.readTree(json);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void expect(int status, AdminApi.Response response) {
        if (response.status() != status) {
            throw new AssertionError("admin API answered " + response.status() + " instead of " + status + ": " + response.body());
        }
    }

    /** {@code GET /quotas}: the raw entry of the quota named {@code name} (with {@code periodStart}, {@code resetsAt}). */
    Optional<JsonNode> quotaJson(String name) {
        AdminApi.Response response = admin.get("/quotas");
        expect(200, response);
        for (JsonNode q : response.json().get("data")) {
            if (name.equals(q.get("name").asText())) {
                return Optional.of(q);
            }
        }
        return Optional.empty();
    }
}
