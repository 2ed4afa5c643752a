package dev.sluice.bootstrap.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.openai.client.OpenAIClient;
import com.openai.core.http.StreamResponse;
import com.openai.models.chat.completions.ChatCompletionChunk;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import com.openai.models.chat.completions.ChatCompletionStreamOptions;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.UUID;

import static dev.sluice.bootstrap.e2e.BackendSpec.aBackend;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A backend that ignores {@code max_tokens} and streams on and on: the gateway counts the output,
 * cuts the stream at the backend's {@code maxOutputTokens}, ends it for the client as a normal
 * {@code finish_reason: "length"} stream and hangs up on the backend.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class StreamOutputCapEndToEndTest {
    private static final int CAP = 20;
    private static final String MODEL = "runaway";

    private RunawayStreamUpstream stub;
    private Gateway gateway;
    private OpenAIClient openAi;

    @BeforeAll
    void startGateway() {
        stub = RunawayStreamUpstream.start();
        gateway = Gateway.start(Map.of());
        new LimitsAdmin(gateway.admin()).createBackend(aBackend().at(stub.baseUrl()).serving(MODEL, "runaway-upstream"),
                b -> b.put("maxOutputTokens", CAP));
        openAi = gateway.openAi(gateway.admin().newAppKey());
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
    void givenABackendIgnoringMaxTokens_whenTheStreamPassesTheCap_thenTheClientGetsALengthEndingWithUsageAndTheBackendIsCut() {
        String requestId = "e2e-stream-cap-" + UUID.randomUUID();
        List<ChatCompletionChunk> chunks = stream(chat("cap with usage")
                .streamOptions(ChatCompletionStreamOptions.builder().includeUsage(true).build())
                .putAdditionalHeader("X-Request-Id", requestId).build());
        long clientEnded = System.nanoTime();

        int words = words(chunks);
        assertTrue(words >= CAP && words < CAP + 5, "about " + CAP + " words reach the client: " + words);
        assertEquals(List.of("length"), finishReasons(chunks), "one finish_reason, length");
        ChatCompletionChunk last = chunks.getLast();
        assertTrue(last.choices().isEmpty(), "the usage chunk comes last");
        long completionTokens = last.usage().orElseThrow().completionTokens();
        assertTrue(completionTokens >= CAP && completionTokens < CAP + 5, "usage counts the output streamed: " + completionTokens);
        assertEquals(words, completionTokens, "one token per word");
        int usageChunks = (int) chunks.stream().filter(c -> c.usage().isPresent()).count();
        assertEquals(1, usageChunks, "the gateway's usage chunk only (the backend's never comes)");

        RunawayStreamUpstream.Served served = stub.awaitFinished("cap with usage.", Duration.ofSeconds(5));
        assertEquals(OptionalLong.of(CAP), served.maxTokens(), "the backend was asked for the cap");
        assertTrue(served.brokenNanos > 0, "the gateway hung up on the backend (written " + served.written + " of "
                + RunawayStreamUpstream.WORDS + ")");
        assertTrue(served.written < RunawayStreamUpstream.WORDS);
        long noticedAfterMs = (served.brokenNanos - clientEnded) / 1_000_000;
        assertTrue(noticedAfterMs < 2_000, "the backend noticed within 2 s of the client's end: " + noticedAfterMs + " ms");

        JsonNode logged = gateway.admin().awaitRequest(requestId);
        assertEquals(200, logged.get("status").asInt());
        assertEquals("output_capped", logged.get("errorType").asText());
        assertTrue(logged.get("usageEstimated").asBoolean());
        assertTrue(logged.get("stream").asBoolean());
        assertEquals(completionTokens, logged.get("usage").get("completionTokens").asLong(), logged.toString());
    }

    @Test
    void givenNoIncludeUsage_whenTheStreamIsCut_thenThereIsNoUsageChunkButStillALengthEndingAndACleanEnd() {
        List<ChatCompletionChunk> chunks = stream(chat("cap without usage").build());

        int words = words(chunks);
        assertTrue(words >= CAP && words < CAP + 5, "about " + CAP + " words reach the client: " + words);
        assertEquals(List.of("length"), finishReasons(chunks));
        assertFalse(chunks.stream().anyMatch(c -> c.usage().isPresent()), "no usage chunk unless asked for");
        assertEquals(Optional.of("length"), chunks.getLast().choices().getFirst().finishReason().map(Object::toString));
        RunawayStreamUpstream.Served served = stub.awaitFinished("cap without usage.", Duration.ofSeconds(5));
        assertTrue(served.brokenNanos > 0, "the gateway hung up on the backend");
    }

    private List<ChatCompletionChunk> stream(ChatCompletionCreateParams params) {
        List<ChatCompletionChunk> chunks = new ArrayList<>();
        try (StreamResponse<ChatCompletionChunk> stream = openAi.chat().completions().createStreaming(params)) {
            stream.stream().forEach(chunks::add);
        }
        return chunks;
    }

    private static int words(List<ChatCompletionChunk> chunks) {
        StringBuilder text = new StringBuilder();
        chunks.stream().flatMap(c -> c.choices().stream()).flatMap(c -> c.delta().content().stream()).forEach(text::append);
        String streamed = text.toString();
        assertEquals(RunawayStreamUpstream.WORD.repeat(streamed.length() / RunawayStreamUpstream.WORD.length()), streamed,
                "only whole words");
        return streamed.length() / RunawayStreamUpstream.WORD.length();
    }

    private static List<String> finishReasons(List<ChatCompletionChunk> chunks) {
        return chunks.stream().flatMap(c -> c.choices().stream())
                .flatMap(c -> c.finishReason().stream()).map(Object::toString).toList();
    }

    private static ChatCompletionCreateParams.Builder chat(String marker) {
        return ChatCompletionCreateParams.builder().model(MODEL).addUserMessage("Say something about " + marker + ".");
    }
}
