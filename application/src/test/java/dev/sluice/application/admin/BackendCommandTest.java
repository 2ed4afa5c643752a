package dev.sluice.application.admin;

import dev.sluice.domain.backend.Backend;
import dev.sluice.domain.backend.ModelMapping;
import dev.sluice.domain.backend.Secret;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;

import static dev.sluice.application.admin.BackendCommandTestData.aBackendCommand;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class BackendCommandTest {

    @Test
    void aValidCommandWithoutOptionalFieldsBecomesABackendWithDefaults() {
        UUID id = UUID.randomUUID();

        Backend backend = aBackendCommand().build().toBackend(id, Optional.empty());

        assertEquals(id, backend.id());
        assertEquals("primary", backend.name());
        assertEquals(Backend.DEFAULT_PRIORITY, backend.priority());
        assertEquals(Backend.DEFAULT_WEIGHT, backend.weight());
        assertEquals(Backend.DEFAULT_TIMEOUT_MS, backend.timeoutMs());
        assertTrue(backend.enabled());
        assertEquals(Optional.empty(), backend.apiKey());
        assertEquals(List.of(new ModelMapping("gpt-4o", "gpt-4o-2024-08-06")), backend.models());
    }

    @Test
    void givenFieldsThatAreSet_thenTheBackendHasThem() {
        Backend backend = aBackendCommand().withPriority(0).withWeight(3).withTimeoutMs(5_000).disabled()
                .withHeader("X-Org", "acme").withApiKey("sk-new").build()
                .toBackend(UUID.randomUUID(), Optional.of(Secret.of("sk-old")));

        assertEquals(0, backend.priority());
        assertEquals(3, backend.weight());
        assertEquals(5_000, backend.timeoutMs());
        assertFalse(backend.enabled());
        assertEquals(Map.of("X-Org", "acme"), backend.headers());
        assertEquals(Optional.of(Secret.of("sk-new")), backend.apiKey());
    }

    @Test
    void anAbsentApiKeyKeepsTheStoredOneAndAnEmptyOneRemovesIt() {
        Optional<Secret> stored = Optional.of(Secret.of("sk-stored"));

        assertEquals(stored, aBackendCommand().withoutApiKeyField().build().toBackend(UUID.randomUUID(), stored).apiKey());
        assertEquals(Optional.empty(), aBackendCommand().withApiKey("").build().toBackend(UUID.randomUUID(), stored).apiKey());
    }

    @Test
    void givenManyBadFields_thenEveryOneIsNamedAtOnce() {
        Map<String, String> headers = new HashMap<>();
        headers.put("X Bad Name", "v");
        headers.put("Authorization", "Bearer smuggled");
        headers.put("X-Split", "a\r\nInjected: yes");
        headers.put("X-Fine", "ok");

        InvalidFieldsException e = invalid(() -> aBackendCommand()
                .named("-starts-with-dash")
                .withBaseUrl("ftp://files.example.test")
                .withApiKey("k".repeat(4097))
                .withPriority(-1)
                .withWeight(0)
                .withTimeoutMs(3_600_001)
                .withHeaders(headers)
                .servingModels(new ModelMapping("ok", null), new ModelMapping(" ", null), new ModelMapping("ok", null),
                        new ModelMapping("m".repeat(201), null))
                .build());

        assertEquals(Set.of("name", "baseUrl", "apiKey", "priority", "weight", "timeoutMs",
                "headers.X Bad Name", "headers.Authorization", "headers.X-Split",
                "models[1].name", "models[2].name", "models[3].name"), fields(e));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "api.example.test/v1", "localhost:8080", "ftp://x.test", "http://", "https:///v1",
            "https://x.test/v1?key=1", "https://x.test/v1#frag", "http://bad host/"})
    void givenABaseUrlThatIsNotAnAbsoluteHttpUrl_thenBaseUrlIsNamed(String url) {
        assertEquals(Set.of("baseUrl"), fields(invalid(() -> aBackendCommand().withBaseUrl(url).build())));
    }

    @ParameterizedTest
    @ValueSource(strings = {"http://localhost:8000/v1", "https://api.openai.com/v1", "HTTPS://x.test", "http://10.0.0.7:11434/v1/"})
    void givenAnHttpBaseUrl_thenItIsAccepted(String url) {
        aBackendCommand().withBaseUrl(url).build();
    }

    @Test
    void givenNoNameOrUrl_thenTheyAreRequired() {
        InvalidFieldsException e = invalid(() -> aBackendCommand().named(null).withBaseUrl(" ").build());

        assertEquals(Set.of("name", "baseUrl"), fields(e));
        assertTrue(e.errors().stream().allMatch(err -> err.message().equals("is required")));
    }

    @Test
    void givenNoModels_thenModelsIsNamed() {
        assertEquals(Set.of("models"), fields(invalid(() -> aBackendCommand().servingModels().build())));
        assertEquals(Set.of("models"), fields(invalid(() -> aBackendCommand().servingModels((ModelMapping[]) null).build())));
    }

    @Test
    void givenANullModelEntry_thenItsNameIsNamed() {
        assertEquals(Set.of("models[0].name"), fields(invalid(() -> aBackendCommand().servingModels((ModelMapping) null).build())));
    }

    @Test
    void givenAModelListedTwice_thenTheSecondIsNamed() {
        InvalidFieldsException e = invalid(() -> aBackendCommand()
                .servingModels(new ModelMapping("a", null), new ModelMapping("b", null), new ModelMapping("a", "other")).build());

        assertEquals(List.of(new FieldError("models[2].name", "is listed twice")), e.errors());
    }

    @Test
    void givenATooLongUpstreamModelName_thenTheUpstreamModelFieldIsNamed() {
        InvalidFieldsException e = invalid(() -> aBackendCommand()
                .servingModels(new ModelMapping("short", "u".repeat(201))).build());

        assertEquals(Set.of("models[0].upstreamModel"), fields(e));
    }

    @Test
    void givenAHeaderWithoutAValue_thenTheHeaderIsNamedRatherThanTheCommandFailing() {
        Map<String, String> headers = new HashMap<>();
        headers.put("X-Empty", null);

        assertEquals(Set.of("headers.X-Empty"), fields(invalid(() -> aBackendCommand().withHeaders(headers).build())));
    }

    @ParameterizedTest
    @ValueSource(strings = {"host", "Content-Length", "content-type", "Transfer-Encoding", "CONNECTION", "accept"})
    void headersTheGatewaySetsCannotBeOverridden(String header) {
        assertEquals(Set.of("headers." + header), fields(invalid(() -> aBackendCommand().withHeader(header, "x").build())));
    }

    @ParameterizedTest
    @ValueSource(ints = {-1, 1_000_001})
    void priorityOutOfRangeIsNamed(int priority) {
        assertEquals(Set.of("priority"), fields(invalid(() -> aBackendCommand().withPriority(priority).build())));
    }

    @Test
    void boundaryValuesAreAccepted() {
        aBackendCommand().withPriority(0).withWeight(1).withTimeoutMs(1).named("a").build();
        aBackendCommand().withPriority(1_000_000).withWeight(1_000_000).withTimeoutMs(3_600_000).named("n".repeat(100)).build();
    }

    @Test
    void theExceptionMessageListsEveryField() {
        InvalidFieldsException e = invalid(() -> aBackendCommand().named("").withWeight(0).build());

        assertTrue(e.getMessage().contains("name is required"), e.getMessage());
        assertTrue(e.getMessage().contains("weight must be"), e.getMessage());
    }

    @Test
    void toStringRedactsTheApiKey() {
        String text = aBackendCommand().withApiKey("sk-very-secret-key").build().toString();

        assertFalse(text.contains("sk-very-secret-key"), text);
        assertTrue(text.contains("[redacted]"), text);
    }

    private static InvalidFieldsException invalid(Executable build) {
        return assertThrows(InvalidFieldsException.class, build);
    }

    private static Set<String> fields(InvalidFieldsException e) {
        return e.errors().stream().map(FieldError::field).collect(Collectors.toSet());
    }
}
