package dev.sluice.bootstrap.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.openai.client.OpenAIClient;
import com.openai.errors.UnauthorizedException;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import com.openai.models.models.Model;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

import static dev.sluice.bootstrap.e2e.BackendSpec.aBackend;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Two gateway instances on one database, with the periodic refresh set to an hour: a change made
 * through one instance's admin API reaches the other within a second (PostgreSQL LISTEN/NOTIFY),
 * and {@code POST /reload} reloads on demand.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class TwoInstancesEndToEndTest {
    private static final Duration PROPAGATION = Duration.ofSeconds(1);

    private StubUpstream stub;
    private Gateway first;
    private Gateway second;

    @BeforeAll
    void start() {
        stub = StubUpstream.start();
        first = Gateway.start(Map.of("sluice.config.refresh-interval", "1h"));
        second = first.secondInstance(Map.of("sluice.config.refresh-interval", "1h"));
    }

    @AfterAll
    void stop() {
        if (second != null) {
            second.close();
        }
        if (first != null) {
            first.close();
        }
        if (stub != null) {
            stub.close();
        }
    }

    @Test
    void givenAKeyAndABackendMadeOnOneInstance_thenTheOtherServesThemWithinASecond() {
        String model = "two-instances-" + UUID.randomUUID();
        first.admin().createBackend(aBackend().at(stub).serving(model, "stub-two"));
        long madeAt = System.nanoTime();
        String key = first.admin().newAppKey();

        OpenAIClient onSecond = second.openAi(key);
        try {
            long seenAt = Poll.until("the key and the model on the second instance", PROPAGATION.multipliedBy(3), () -> {
                try {
                    List<String> models = onSecond.models().list().data().stream().map(Model::id).toList();
                    return models.contains(model) ? Optional.of(System.nanoTime()) : Optional.empty();
                } catch (UnauthorizedException notYet) {
                    return Optional.empty();
                }
            });
            Duration took = Duration.ofNanos(seenAt - madeAt);
            System.out.println("configuration change seen by the second instance after " + took.toMillis() + " ms");
            assertTrue(took.compareTo(PROPAGATION) < 0, "took " + took.toMillis() + " ms");
            assertEquals(StubUpstream.CONTENT, onSecond.chat().completions().create(ChatCompletionCreateParams.builder()
                    .model(model).addUserMessage("hello").build()).choices().getFirst().message().content().orElseThrow());
        } finally {
            onSecond.close();
        }
    }

    @Test
    void givenAKeyRevokedOnOneInstance_thenTheOtherRefusesItWithinASecond() {
        String appId = first.admin().createApp("two-instances-revoke-" + UUID.randomUUID());
        AdminApi.IssuedKey key = first.admin().issueKey(appId);
        OpenAIClient onSecond = second.openAi(key.key());
        try {
            Poll.until("the key on the second instance", PROPAGATION.multipliedBy(3), () -> {
                try {
                    onSecond.models().list();
                    return Optional.of(true);
                } catch (UnauthorizedException notYet) {
                    return Optional.empty();
                }
            });
            assertEquals(204, first.admin().delete("/apps/" + appId + "/keys/" + key.id()).status());
            Poll.until("the revoked key refused by the second instance", PROPAGATION, () -> {
                try {
                    onSecond.models().list();
                    return Optional.empty();
                } catch (UnauthorizedException refused) {
                    return Optional.of(true);
                }
            });
            assertThrows(UnauthorizedException.class, () -> onSecond.models().list());
        } finally {
            onSecond.close();
        }
    }

    @Test
    void givenReloadAsked_thenThisInstanceLoadsANewSnapshot() {
        JsonNode before = first.admin().post("/reload", null).json();
        JsonNode after = first.admin().post("/reload", null).json();
        assertEquals(before.get("version").asLong() + 1, after.get("version").asLong());
        assertTrue(after.has("loadedAt") && after.has("backends") && after.has("apps"), after.toString());
    }
}
