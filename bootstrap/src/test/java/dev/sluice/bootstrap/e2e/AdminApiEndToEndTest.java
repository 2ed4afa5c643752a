package dev.sluice.bootstrap.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.openai.client.OpenAIClient;
import com.openai.errors.NotFoundException;
import com.openai.errors.UnauthorizedException;
import com.openai.models.chat.completions.ChatCompletion;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import com.openai.models.models.Model;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import java.io.IOException;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

import static dev.sluice.bootstrap.e2e.BackendSpec.aBackend;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The admin REST API over plain HTTP, and how its changes show on the proxy port at once. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class AdminApiEndToEndTest {
    private StubUpstream stub;
    private Gateway gateway;
    private AdminApi admin;
    private String clientKey;
    private OpenAIClient openAi;

    @BeforeAll
    void startGateway() {
        stub = StubUpstream.start();
        gateway = Gateway.start();
        admin = gateway.admin();
        clientKey = admin.newAppKey();
        openAi = gateway.openAi(clientKey);
    }

    @AfterAll
    void stopGateway() {
        if (openAi != null) {
            openAi.close();
        }
        if (gateway != null) {
            gateway.close();
        }
        if (stub != null) {
            stub.close();
        }
    }

    @Test
    void givenNoAdminToken_whenCallingTheAdminApi_thenUnauthorized() {
        AdminApi.Response response = admin.send("GET", "/backends", null, null);

        assertEquals(401, response.status());
        assertEquals("invalid_admin_token", response.json().get("error").get("code").asText());
        assertEquals(Optional.of("Bearer"), response.headers().firstValue("www-authenticate"));
    }

    @Test
    void givenWrongAdminToken_whenCallingTheAdminApi_thenUnauthorizedAndNothingChanges() {
        AdminApi.Response list = admin.send("GET", "/backends", null, Gateway.ADMIN_TOKEN + "x");
        AdminApi.Response create = admin.send("POST", "/apps", "{\"name\":\"intruder\"}", "not-the-admin-token-at-all");

        assertEquals(401, list.status());
        assertEquals(401, create.status());
        assertFalse(admin.get("/apps").body().contains("intruder"));
    }

    @Test
    void givenBackendWithSeveralBadFields_whenCreating_thenBadRequestNamesEveryField() {
        String body = """
                {"name":"", "baseUrl":"ftp://example.com/v1", "weight":0, "priority":"high",
                 "models":[{"name":"", "upstreamModel":"x"}]}""";

        AdminApi.Response response = admin.post("/backends", body);

        assertEquals(400, response.status(), response.body());
        List<String> fields = new ArrayList<>();
        response.json().get("errors").forEach(e -> fields.add(e.get("field").asText()));
        assertTrue(fields.containsAll(List.of("name", "baseUrl", "weight", "priority", "models[0].name")), "fields: " + fields);
        JsonNode error = response.json().get("error");
        assertEquals("invalid_request_error", error.get("type").asText());
        assertTrue(error.get("message").asText().contains("baseUrl"), error.toString());
        assertFalse(admin.get("/backends").body().contains("ftp://example.com"), "nothing was stored");
    }

    @Test
    void givenBadHealthHistoryQuery_whenAsked_thenBadRequestNamesEveryField_andAnUnknownBackendIsNotFound() {
        AdminApi.Response response = admin.get("/backends/" + UUID.randomUUID()
                + "/health/history?from=yesterday&limit=0");

        assertEquals(400, response.status(), response.body());
        List<String> fields = new ArrayList<>();
        response.json().get("errors").forEach(e -> fields.add(e.get("field").asText()));
        assertEquals(List.of("from", "limit"), fields);
        assertEquals(404, admin.get("/backends/" + UUID.randomUUID() + "/health/history").status());
    }

    @Test
    void givenABackendCreatedUpdatedAndDeleted_thenTheAuditLogHasEachChangeWithBeforeAndAfter_andNoSecret() {
        String secret = "sk-audit-secret-" + UUID.randomUUID();
        BackendSpec backend = aBackend().at(stub).withApiKey(secret).serving("audit-model-" + UUID.randomUUID(), "stub-audit");
        String id = admin.createBackend(backend);
        admin.updateBackend(id, aBackend().named(backend.name()).at(stub).withPriority(7).serving("audit-after", "stub-audit"));
        assertEquals(204, admin.delete("/backends/" + id).status());
        String appId = admin.createApp("audit-app-" + UUID.randomUUID());
        AdminApi.IssuedKey key = admin.issueKey(appId);

        AdminApi.Response audit = admin.get("/audit?type=backend&limit=1000");
        assertEquals(200, audit.status(), audit.body());
        List<JsonNode> mine = new ArrayList<>();
        audit.json().get("data").forEach(e -> {
            if (id.equals(e.get("targetId").asText())) {
                mine.add(e);
            }
        });
        assertEquals(List.of("backend.delete", "backend.update", "backend.create"),
                mine.stream().map(e -> e.get("action").asText()).toList(), "newest first");
        JsonNode update = mine.get(1);
        assertEquals(1, update.get("before").get("priority").asInt());
        assertEquals(7, update.get("after").get("priority").asInt());
        assertEquals("admin-token", update.get("actor").asText());
        assertEquals("127.0.0.1", update.get("address").asText());
        assertTrue(mine.getLast().get("before").isNull(), "nothing before a create");
        assertTrue(mine.getFirst().get("after").isNull(), "nothing after a delete");

        String everything = admin.get("/audit?limit=1000").body();
        assertFalse(everything.contains(secret), "a backend API key is never in the audit log");
        assertFalse(everything.contains(key.key()), "an issued key is never in the audit log");
        assertTrue(everything.contains(key.prefix()), "the issued key is named by its prefix");
        assertEquals(400, admin.get("/audit?limit=0").status());
    }

    @Test
    void givenAConfiguration_whenExported_thenYamlInAStableOrder_withoutSecrets_andJsonByAccept() throws Exception {
        String secret = "sk-export-secret-" + UUID.randomUUID();
        BackendSpec backend = aBackend().at(stub).withApiKey(secret).serving("export-model-" + UUID.randomUUID(), "stub-export");
        admin.createBackend(backend);
        admin.createApp("export-app-" + UUID.randomUUID());

        AdminApi.Response first = admin.get("/config");
        AdminApi.Response second = admin.get("/config");

        assertEquals(200, first.status(), first.body());
        assertTrue(first.headers().firstValue("Content-Type").orElse("").startsWith("application/yaml"));
        assertEquals(first.body(), second.body(), "two exports of the same state are byte-identical");
        assertFalse(first.body().contains(secret), "no backend API key without ?secrets=true");
        Map<String, Object> yaml = new org.yaml.snakeyaml.Yaml().load(first.body());
        assertEquals(1, yaml.get("version"));
        List<?> backends = (List<?>) yaml.get("backends");
        List<String> names = backends.stream().map(b -> (String) ((Map<?, ?>) b).get("name")).toList();
        assertEquals(names.stream().sorted().toList(), names, "backends by name");
        assertTrue(names.contains(backend.name()), names.toString());
        assertFalse(first.body().contains("lastChange") || first.body().contains("consecutiveFailures"), "no live health in the configuration");

        AdminApi.Response json = admin.getAccepting("/config", "application/json");
        assertEquals(200, json.status());
        assertEquals(1, json.json().get("version").asInt());
        assertTrue(admin.get("/config?secrets=true").body().contains(secret), "the key only when asked for");
        assertTrue(admin.get("/audit?limit=5").body().contains("config.export-secrets"), "and that export is audited");
    }

    @Test
    void givenMalformedJson_whenCreatingABackend_thenBadRequestOnTheBody() {
        AdminApi.Response response = admin.post("/backends", "{\"name\":");

        assertEquals(400, response.status());
        assertEquals("body", response.json().get("errors").get(0).get("field").asText());
    }

    @Test
    void givenBackendWithApiKey_whenReadBack_thenOnlyAMaskedKeyIsShownButTheRealOneIsUsed() {
        String secret = "sk-live-very-secret-backend-key-" + UUID.randomUUID();
        String model = "masked-" + UUID.randomUUID();
        BackendSpec backend = aBackend().at(stub).withApiKey(secret).serving(model, "stub-masked");

        AdminApi.Response created = admin.post("/backends", backend.toJson());
        String id = created.json().get("id").asText();
        AdminApi.Response one = admin.get("/backends/" + id);
        AdminApi.Response all = admin.get("/backends");

        assertEquals(201, created.status());
        for (AdminApi.Response response : List.of(created, one, all)) {
            assertFalse(response.body().contains(secret), "the key leaks: " + response.body());
            assertFalse(response.body().contains(secret.substring(10, 30)), "a part of the key leaks: " + response.body());
        }
        String masked = one.json().get("apiKey").asText();
        assertFalse(masked.isBlank());
        assertNotEquals(secret, masked);

        chat(model);
        assertEquals("Bearer " + secret, stub.requestsFor("stub-masked").getLast().header("authorization"));
    }

    @Test
    void givenBackend_whenUpdatedThenDeleted_thenTheProxyFollowsEachChangeAtOnce() {
        String before = "live-before-" + UUID.randomUUID();
        String after = "live-after-" + UUID.randomUUID();
        String key = "sk-kept-backend-key-" + UUID.randomUUID();
        BackendSpec backend = aBackend().at(stub).withApiKey(key).serving(before, "up-before");

        String id = admin.createBackend(backend);
        assertTrue(publicModels().contains(before));
        assertEquals(StubUpstream.CONTENT, content(chat(before)));
        assertEquals(1, stub.requestsFor("up-before").size());

        AdminApi.Response read = admin.get("/backends/" + id);
        assertEquals(200, read.status());
        assertEquals(backend.name(), read.json().get("name").asText());
        assertEquals(stub.baseUrl(), read.json().get("baseUrl").asText());
        assertEquals(before, read.json().get("models").get(0).get("name").asText());
        assertEquals("up-before", read.json().get("models").get(0).get("upstreamModel").asText());

        // an update without apiKey keeps the stored key
        admin.updateBackend(id, aBackend().named(backend.name()).at(stub).serving(after, "up-after"));
        List<String> models = publicModels();
        assertTrue(models.contains(after), "models: " + models);
        assertFalse(models.contains(before), "models: " + models);
        assertEquals(StubUpstream.CONTENT, content(chat(after)));
        assertEquals("Bearer " + key, stub.requestsFor("up-after").getLast().header("authorization"));
        NotFoundException gone = assertThrows(NotFoundException.class, () -> chat(before));
        assertEquals(Optional.of("model_not_found"), gone.code());

        admin.deleteBackend(id);
        assertFalse(publicModels().contains(after));
        assertThrows(NotFoundException.class, () -> chat(after));
        assertEquals(404, admin.get("/backends/" + id).status());
        assertEquals(404, admin.delete("/backends/" + id).status());
    }

    @Test
    void givenTwoBackendsForOneModel_whenRouting_thenTheLowerPriorityNumberServesUntilDisabled() {
        String model = "prio-" + UUID.randomUUID();
        String upstreamPrimary = "up-primary-" + UUID.randomUUID();
        String upstreamSecondary = "up-secondary-" + UUID.randomUUID();
        // the preferred backend is created last, so insertion order cannot explain the choice
        admin.createBackend(aBackend().at(stub).withPriority(5).serving(model, upstreamSecondary));
        BackendSpec primary = aBackend().at(stub).withPriority(1).serving(model, upstreamPrimary);
        String primaryId = admin.createBackend(primary);

        chat(model);
        chat(model);
        assertEquals(2, stub.requestsFor(upstreamPrimary).size());
        assertEquals(0, stub.requestsFor(upstreamSecondary).size());

        admin.updateBackend(primaryId, aBackend().named(primary.name()).at(stub).withPriority(1).disabled()
                .serving(model, upstreamPrimary));
        chat(model);
        assertEquals(2, stub.requestsFor(upstreamPrimary).size());
        assertEquals(1, stub.requestsFor(upstreamSecondary).size());
    }

    @Test
    void givenApp_whenIssuingAKey_thenTheKeyIsShownOnceAndListedOnlyByPrefix() {
        AdminApi.Response app = admin.post("/apps", "{\"name\":\"billing-" + UUID.randomUUID().toString().substring(0, 8) + "\"}");
        assertEquals(201, app.status(), app.body());
        String appId = app.json().get("id").asText();

        AdminApi.Response issued = admin.post("/apps/" + appId + "/keys", null);
        assertEquals(201, issued.status(), issued.body());
        String key = issued.json().get("key").asText();
        String prefix = issued.json().get("prefix").asText();
        assertTrue(key.startsWith(prefix), key + " / " + prefix);
        assertTrue(key.length() > prefix.length() + 16, "the prefix does not give the key away");

        AdminApi.Response keys = admin.get("/apps/" + appId + "/keys");
        assertEquals(200, keys.status());
        assertFalse(keys.body().contains(key), "a listed key is only its prefix: " + keys.body());
        JsonNode listed = keys.json().get("data");
        assertEquals(1, listed.size());
        assertEquals(prefix, listed.get(0).get("prefix").asText());
        assertFalse(listed.get(0).has("key"));
        assertFalse(listed.get(0).get("revoked").asBoolean());
        assertEquals(404, admin.get("/apps/" + UUID.randomUUID() + "/keys").status());
    }

    @Test
    void givenIssuedKey_whenRevoked_thenItIsRefusedAtOnce() {
        String model = "revoke-" + UUID.randomUUID();
        admin.createBackend(aBackend().at(stub).serving(model, "stub-revoke"));
        String appId = admin.createApp("revoking-" + UUID.randomUUID().toString().substring(0, 8));
        AdminApi.IssuedKey key = admin.issueKey(appId);
        OpenAIClient client = gateway.openAi(key.key());
        try {
            assertEquals(StubUpstream.CONTENT, content(client.chat().completions().create(chatParams(model))));

            assertEquals(204, admin.delete("/apps/" + appId + "/keys/" + key.id()).status());

            UnauthorizedException e = assertThrows(UnauthorizedException.class,
                    () -> client.chat().completions().create(chatParams(model)));
            assertEquals(Optional.of("invalid_api_key"), e.code());
            assertThrows(UnauthorizedException.class, () -> client.models().list());
        } finally {
            client.close();
        }
        assertTrue(admin.get("/apps/" + appId + "/keys").json().get("data").get(0).get("revoked").asBoolean());
        assertEquals(404, admin.delete("/apps/" + appId + "/keys/" + key.id()).status(), "a key is revoked once");
        assertEquals(StubUpstream.CONTENT, content(chat(model)), "other apps' keys still work");
    }

    @Test
    void givenRunningGateway_whenAskingForHealthOnTheProxyPort_thenUp() {
        HttpResponse<String> response = gateway.proxy("GET", "/health", null, Map.of());

        assertEquals(200, response.statusCode());
        assertTrue(response.headers().firstValue("x-request-id").isPresent(), "every proxy-port answer has a request id");
        assertEquals("UP", parse(response.body()).get("status").asText());
    }

    @Test
    void givenRunningGateway_whenAskingForHealthOnTheAdminPort_thenUp() {
        HttpResponse<String> response = gateway.adminPortGet("/health");

        assertEquals(200, response.statusCode(), response.body());
        assertEquals("UP", parse(response.body()).get("status").asText());
    }

    private ChatCompletion chat(String model) {
        return openAi.chat().completions().create(chatParams(model));
    }

    private static ChatCompletionCreateParams chatParams(String model) {
        return ChatCompletionCreateParams.builder().model(model).addUserMessage("hello").build();
    }

    private static String content(ChatCompletion completion) {
        return completion.choices().getFirst().message().content().orElseThrow();
    }

    private List<String> publicModels() {
        return openAi.models().list().data().stream().map(Model::id).toList();
    }

    private static JsonNode parse(String json) {
        try {
            return AdminApi.JSON.readTree(json);
        } catch (IOException e) {
            throw new AssertionError("not JSON: " + json, e);
        }
    }
}
