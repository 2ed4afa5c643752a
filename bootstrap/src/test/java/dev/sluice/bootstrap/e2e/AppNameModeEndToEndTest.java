package dev.sluice.bootstrap.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.openai.client.OpenAIClient;
import com.openai.core.http.HttpResponseFor;
import com.openai.errors.BadRequestException;
import com.openai.models.chat.completions.ChatCompletion;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import java.io.IOException;
import java.net.http.HttpResponse;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

import static dev.sluice.bootstrap.e2e.BackendSpec.aBackend;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** A gateway on a trusted network ({@code sluice.auth.api-keys-required: false}): the App-Name header names the caller. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class AppNameModeEndToEndTest {
    private static final String MODEL = "trusted-model";

    private StubUpstream stub;
    private Gateway gateway;

    @BeforeAll
    void startGateway() {
        stub = StubUpstream.start();
        gateway = Gateway.start(Map.of("sluice.auth.api-keys-required", false));
        gateway.admin().createBackend(aBackend().at(stub).serving(MODEL, "stub-trusted"));
    }

    @AfterAll
    void stopGateway() {
        if (gateway != null) {
            gateway.close();
        }
        if (stub != null) {
            stub.close();
        }
    }

    @Test
    void givenNoAppName_whenCalling_thenBadRequestNamingTheHeader() {
        String requestId = "e2e-no-app-" + UUID.randomUUID();

        HttpResponse<String> response = gateway.proxy("POST", "/v1/chat/completions",
                "{\"model\":\"" + MODEL + "\",\"messages\":[{\"role\":\"user\",\"content\":\"" + requestId + "\"}]}",
                Map.of("Content-Type", "application/json", "X-Request-Id", requestId));

        assertEquals(400, response.statusCode());
        JsonNode error = json(response.body()).get("error");
        assertEquals("missing_app_name", error.get("code").asText());
        assertEquals("App-Name", error.get("param").asText());
        assertEquals(400, gateway.awaitRequestLog(requestId).status());
        assertEquals(0, stub.requestsMatching(r -> r.body().contains(requestId)).size(), "nothing was forwarded");
    }

    @Test
    void givenNoAppName_whenCallingThroughTheSdk_thenBadRequest() {
        OpenAIClient client = gateway.openAi("ignored-on-a-trusted-network");
        try {
            BadRequestException e = assertThrows(BadRequestException.class, () -> client.chat().completions().create(chat()));
            assertEquals(Optional.of("missing_app_name"), e.code());
        } finally {
            client.close();
        }
    }

    @Test
    void givenAppName_whenCalling_thenAnsweredAndLoggedUnderThatName() {
        String requestId = "e2e-app-name-" + UUID.randomUUID();
        OpenAIClient client = gateway.openAi("ignored-on-a-trusted-network", b -> b.putHeader("App-Name", "nightly-batch"));
        try {
            HttpResponseFor<ChatCompletion> response = client.chat().completions().withRawResponse()
                    .create(chat().toBuilder().putAdditionalHeader("X-Request-Id", requestId).build());

            assertEquals(200, response.statusCode());
            assertEquals(Optional.of(StubUpstream.CONTENT), response.parse().choices().getFirst().message().content());
        } finally {
            client.close();
        }
        RequestLogRow row = gateway.awaitRequestLog(requestId);
        assertEquals(200, row.status());
        assertEquals("nightly-batch", row.appName());
        assertNull(row.appId(), "an app name that is not registered has no id");
        assertEquals(StubUpstream.TOTAL_TOKENS, row.totalTokens());
    }

    @Test
    void givenRegisteredAppName_whenCalling_thenTheLogCarriesTheAppsId() {
        String appId = gateway.admin().createApp("registered-app");
        String requestId = "e2e-registered-" + UUID.randomUUID();

        HttpResponse<String> response = gateway.proxy("POST", "/v1/chat/completions",
                "{\"model\":\"" + MODEL + "\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}",
                Map.of("App-Name", "registered-app", "X-Request-Id", requestId));

        assertEquals(200, response.statusCode(), response.body());
        RequestLogRow row = gateway.awaitRequestLog(requestId);
        assertEquals("registered-app", row.appName());
        assertNotNull(row.appId());
        assertEquals(UUID.fromString(appId), row.appId());
    }

    private static ChatCompletionCreateParams chat() {
        return ChatCompletionCreateParams.builder().model(MODEL).addUserMessage("hello").build();
    }

    private static JsonNode json(String body) {
        try {
            return AdminApi.JSON.readTree(body);
        } catch (IOException e) {
            throw new AssertionError("not JSON: " + body, e);
        }
    }
}
