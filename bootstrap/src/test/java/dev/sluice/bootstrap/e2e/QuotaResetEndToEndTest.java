package dev.sluice.bootstrap.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.openai.client.OpenAIClient;
import com.openai.errors.RateLimitException;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import dev.sluice.bootstrap.MutableClock;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static dev.sluice.bootstrap.e2e.BackendSpec.aBackend;
import static dev.sluice.bootstrap.e2e.LimitsAdmin.requestQuota;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Quotas across a period boundary, on an injected clock ({@code test.mutable-clock}) that starts two
 * minutes before midnight UTC: a daily quota spent before midnight is fresh again after it. The two
 * tests run in order on one clock: the app quota first (before the jump), then the backend quota.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class QuotaResetEndToEndTest {
    private static final String DAILY = "0 0 * * *";
    private static final Instant MIDNIGHT = Instant.parse("2026-04-01T00:00:00Z");

    private PacedUpstream stub;
    private Gateway gateway;
    private LimitsAdmin limits;
    private MutableClock clock;
    private final List<OpenAIClient> clients = new java.util.ArrayList<>();

    @BeforeAll
    void startGateway() {
        stub = PacedUpstream.start();
        gateway = Gateway.start(Map.of("test.mutable-clock", "true",
                "test.mutable-clock.start", MutableClock.DEFAULT_START.toString()));
        limits = new LimitsAdmin(gateway.admin());
        clock = gateway.bean(MutableClock.class);
    }

    @AfterAll
    void stopGateway() {
        clients.forEach(OpenAIClient::close);
        if (gateway != null) {
            gateway.close();
        }
        if (stub != null) {
            stub.close();
        }
    }

    @Test
    void theGatewayRunsOnTheInjectedClock() {
        assertSame(clock, gateway.bean(java.time.Clock.class), "the test clock replaced the production one");
    }

    @Test
    void givenAnAppQuotaOf2PerDay_whenSpentBeforeMidnight_thenTheThirdGets429UntilMidnightAndAfterItTheAppIsServedAgain() {
        // the clock may only be before midnight here: this test must run on a fresh clock
        resetClockTo(MutableClock.DEFAULT_START);
        String model = "reset-app-quota";
        String upstream = "paced-reset-app-quota";
        limits.createBackend(aBackend().at(stub.baseUrl()).serving(model, upstream), b -> { });
        LimitsAdmin.App app = limits.appWithLimits("reset-app", requestQuota(2, DAILY));
        OpenAIClient client = client(app.key());
        {
            client.chat().completions().create(chat(model, "reset 1").build());
            client.chat().completions().create(chat(model, "reset 2").build());
            String refusedId = "e2e-reset-refused-" + UUID.randomUUID();

            RateLimitException e = assertThrows(RateLimitException.class, () -> client.chat().completions().create(
                    chat(model, "reset 3").putAdditionalHeader("X-Request-Id", refusedId).build()));

            assertEquals("quota_exceeded", e.code().orElse(null));
            assertTrue(e.getMessage().contains(MIDNIGHT.toString()), "the message names the reset " + MIDNIGHT + ": " + e.getMessage());
            long retryAfter = Long.parseLong(e.headers().values("retry-after").getFirst());
            assertTrue(retryAfter >= 100 && retryAfter <= 121, "Retry-After is the time to midnight (~120 s): " + retryAfter);
            assertEquals(2, stub.arrivals(upstream).size(), "the refused request never reached the backend");
            JsonNode before = limits.quotaJson(app.name()).orElseThrow();
            assertEquals(2, before.get("requestsUsed").asLong());
            assertEquals(MIDNIGHT, Instant.parse(before.get("resetsAt").asText()));

            clock.advance(Duration.ofMinutes(3));
            client.chat().completions().create(chat(model, "reset 4").build());

            assertEquals(3, stub.arrivals(upstream).size());
            JsonNode after = limits.quotaJson(app.name()).orElseThrow();
            assertEquals(1, after.get("requestsUsed").asLong(), "the new period counts only the request after midnight");
            assertEquals(MIDNIGHT, Instant.parse(after.get("periodStart").asText()));
            assertEquals(MIDNIGHT.plus(Duration.ofDays(1)), Instant.parse(after.get("resetsAt").asText()));
            assertEquals(429, gateway.awaitRequestLog(refusedId).status());
        }
    }

    @Test
    void givenABackendQuotaOf1PerDay_whenSpent_thenTheSecondBackendServesUntilTheBoundaryAndThenTheFirstAgain() {
        resetClockTo(MutableClock.DEFAULT_START);
        String model = "reset-backend-quota";
        String first = "paced-reset-first";
        String second = "paced-reset-second";
        BackendSpec a = aBackend().at(stub.baseUrl()).withPriority(1).serving(model, first);
        limits.createBackend(a, requestQuota(1, DAILY));
        limits.createBackend(aBackend().at(stub.baseUrl()).withPriority(2).serving(model, second), b -> { });
        OpenAIClient client = client(gateway.admin().newAppKey());
        {
            client.chat().completions().create(chat(model, "backend reset 1").build());
            client.chat().completions().create(chat(model, "backend reset 2").build());

            assertEquals(List.of(1, 1), List.of(stub.arrivals(first).size(), stub.arrivals(second).size()),
                    "the first backend took one request, its quota sent the second to the other backend");

            clock.advance(Duration.ofMinutes(3));
            client.chat().completions().create(chat(model, "backend reset 3").build());

            assertEquals(List.of(2, 1), List.of(stub.arrivals(first).size(), stub.arrivals(second).size()),
                    "after midnight the first backend serves again");
            assertTrue(stub.arrivals(first).getLast().contains("backend reset 3."));
            JsonNode use = limits.quotaJson(a.name()).orElseThrow();
            assertEquals(1, use.get("requestsUsed").asLong());
            assertEquals(MIDNIGHT, Instant.parse(use.get("periodStart").asText()));
        }
    }

    private OpenAIClient client(String key) {
        OpenAIClient client = gateway.openAi(key);
        clients.add(client);
        return client;
    }

    /** Puts the shared clock back at {@code start} (tests may run in any order). */
    private void resetClockTo(Instant start) {
        clock.advance(Duration.between(clock.instant(), start));
    }

    private static ChatCompletionCreateParams.Builder chat(String model, String marker) {
        return ChatCompletionCreateParams.builder().model(model).addUserMessage("Say something about " + marker + ".");
    }
}
