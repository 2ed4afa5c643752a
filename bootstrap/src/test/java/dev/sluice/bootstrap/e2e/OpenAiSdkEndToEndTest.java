package dev.sluice.bootstrap.e2e;

import com.openai.client.OpenAIClient;
import com.openai.core.http.HttpResponseFor;
import com.openai.core.http.StreamResponse;
import com.openai.models.chat.completions.ChatCompletion;
import com.openai.models.chat.completions.ChatCompletionChunk;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import com.openai.models.chat.completions.ChatCompletionStreamOptions;
import com.openai.models.completions.Completion;
import com.openai.models.completions.CompletionCreateParams;
import com.openai.models.completions.CompletionUsage;
import com.openai.models.embeddings.CreateEmbeddingResponse;
import com.openai.models.embeddings.EmbeddingCreateParams;
import com.openai.models.models.Model;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

import static dev.sluice.bootstrap.e2e.BackendSpec.aBackend;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The gateway as an OpenAI client sees it, driven by the official OpenAI Java SDK. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class OpenAiSdkEndToEndTest {
    private static final String BACKEND_KEY = "sk-backend-secret-0123456789";
    private static final String PUBLIC_MODEL = "gpt-e2e";
    private static final String UPSTREAM_MODEL = "stub-chat-v1";
    private static final String EMBEDDING_MODEL = "embed-e2e";
    private static final String UPSTREAM_EMBEDDING_MODEL = "stub-embed-v1";

    private StubUpstream stub;
    private Gateway gateway;
    private String backendId;
    private String backendName;
    private String clientKey;
    private OpenAIClient openAi;

    @BeforeAll
    void startGateway() {
        stub = StubUpstream.start();
        gateway = Gateway.start();
        BackendSpec backend = aBackend().at(stub)
                .withApiKey(BACKEND_KEY)
                .withHeader("X-Backend-Tenant", "tenant-42")
                .serving(PUBLIC_MODEL, UPSTREAM_MODEL)
                .serving(EMBEDDING_MODEL, UPSTREAM_EMBEDDING_MODEL);
        backendName = backend.name();
        backendId = gateway.admin().createBackend(backend);
        clientKey = gateway.admin().newAppKey();
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
    void givenConfiguredBackend_whenListingModels_thenEveryPublicModelIsListed() {
        List<String> ids = openAi.models().list().data().stream().map(Model::id).toList();

        assertTrue(ids.containsAll(List.of(PUBLIC_MODEL, EMBEDDING_MODEL)), "models: " + ids);
        assertFalse(ids.contains(UPSTREAM_MODEL), "upstream names stay private: " + ids);
    }

    @Test
    void givenChatRequest_whenNotStreaming_thenContentAndUsageComeBackAndAreLogged() {
        String requestId = "e2e-chat-" + UUID.randomUUID();

        HttpResponseFor<ChatCompletion> response = openAi.chat().completions().withRawResponse().create(
                chat().putAdditionalHeader("X-Request-Id", requestId).build());
        ChatCompletion completion = response.parse();

        assertEquals(200, response.statusCode());
        assertEquals(Optional.of(requestId), response.requestId(), "the client's X-Request-Id is echoed");
        assertEquals(Optional.of(StubUpstream.CONTENT), completion.choices().getFirst().message().content());
        CompletionUsage usage = completion.usage().orElseThrow();
        assertEquals(StubUpstream.PROMPT_TOKENS, usage.promptTokens());
        assertEquals(StubUpstream.COMPLETION_TOKENS, usage.completionTokens());
        assertEquals(StubUpstream.TOTAL_TOKENS, usage.totalTokens());

        RequestLogRow row = gateway.awaitRequestLog(requestId);
        assertEquals(200, row.status());
        assertEquals(PUBLIC_MODEL, row.model());
        assertEquals(backendName, row.backendName());
        assertEquals(UUID.fromString(backendId), row.backendId());
        assertNotNull(row.appId());
        assertEquals(StubUpstream.PROMPT_TOKENS, row.promptTokens());
        assertEquals(StubUpstream.COMPLETION_TOKENS, row.completionTokens());
        assertEquals(StubUpstream.TOTAL_TOKENS, row.totalTokens());
        assertFalse(row.stream());
        assertFalse(row.clientAborted());
        assertNull(row.errorType());
        assertNotNull(row.ttftUs(), "time to first byte is recorded");
        assertTrue(row.latencyUs() >= row.ttftUs(), row.toString());
    }

    @Test
    void givenChatRequest_whenForwarded_thenBackendSeesItsOwnModelKeyAndHeadersButNeverTheClientKey() {
        String marker = "marker-" + UUID.randomUUID();

        openAi.chat().completions().create(ChatCompletionCreateParams.builder()
                .model(PUBLIC_MODEL).addUserMessage(marker).build());

        StubUpstream.Recorded seen = onlyRequestContaining(marker);
        assertEquals("POST", seen.method());
        assertEquals("/v1/chat/completions", seen.path());
        assertEquals(UPSTREAM_MODEL, seen.model());
        assertEquals("Bearer " + BACKEND_KEY, seen.header("authorization"));
        assertEquals("tenant-42", seen.header("x-backend-tenant"));
        assertFalse(seen.headers().values().stream().anyMatch(v -> v.contains(clientKey)),
                "the client's key must not reach the backend: " + seen.headers());
        assertFalse(seen.body().contains(PUBLIC_MODEL), "the public model name is replaced: " + seen.body());
    }

    @Test
    void givenStreamingChat_whenUsageNotRequested_thenDeltasArriveInOrderWithoutUsageChunkButUsageIsLogged() {
        String requestId = "e2e-stream-" + UUID.randomUUID();
        List<ChatCompletionChunk> chunks = new ArrayList<>();

        try (StreamResponse<ChatCompletionChunk> stream = openAi.chat().completions().createStreaming(
                chat(requestId).putAdditionalHeader("X-Request-Id", requestId).build())) {
            stream.stream().forEach(chunks::add);
        }

        assertEquals(StubUpstream.DELTAS, deltas(chunks));
        assertTrue(chunks.stream().allMatch(c -> c.usage().isEmpty()), "no usage chunk was asked for");
        assertTrue(chunks.stream().noneMatch(c -> c.choices().isEmpty()), "the usage-only chunk is stripped");
        assertTrue(onlyRequestContaining(requestId).includeUsage(), "the gateway asks the backend for usage anyway");

        RequestLogRow row = gateway.awaitRequestLog(requestId);
        assertEquals(200, row.status());
        assertTrue(row.stream());
        assertNotNull(row.ttftUs());
        assertEquals(StubUpstream.PROMPT_TOKENS, row.promptTokens());
        assertEquals(StubUpstream.COMPLETION_TOKENS, row.completionTokens());
        assertEquals(StubUpstream.TOTAL_TOKENS, row.totalTokens());
    }

    @Test
    void givenStreamingChat_whenUsageRequested_thenTheUsageChunkIsRelayedLast() {
        String requestId = "e2e-stream-usage-" + UUID.randomUUID();
        List<ChatCompletionChunk> chunks = new ArrayList<>();

        try (StreamResponse<ChatCompletionChunk> stream = openAi.chat().completions().createStreaming(chat(requestId)
                .streamOptions(ChatCompletionStreamOptions.builder().includeUsage(true).build())
                .putAdditionalHeader("X-Request-Id", requestId)
                .build())) {
            stream.stream().forEach(chunks::add);
        }

        assertEquals(StubUpstream.DELTAS, deltas(chunks));
        ChatCompletionChunk last = chunks.getLast();
        assertTrue(last.choices().isEmpty(), "the usage chunk has no choices");
        CompletionUsage usage = last.usage().orElseThrow();
        assertEquals(StubUpstream.PROMPT_TOKENS, usage.promptTokens());
        assertEquals(StubUpstream.COMPLETION_TOKENS, usage.completionTokens());
        assertEquals(StubUpstream.TOTAL_TOKENS, usage.totalTokens());
        assertEquals(1, chunks.stream().filter(c -> c.usage().isPresent()).count());
        assertTrue(onlyRequestContaining(requestId).includeUsage());
        assertEquals(StubUpstream.TOTAL_TOKENS, gateway.awaitRequestLog(requestId).totalTokens());
    }

    @Test
    void givenStreamingChat_whenUsageExplicitlyDeclined_thenTheBackendIsAskedAnywayAndTheClientGetsNoUsageChunk() {
        String requestId = "e2e-stream-declined-" + UUID.randomUUID();
        List<ChatCompletionChunk> chunks = new ArrayList<>();

        try (StreamResponse<ChatCompletionChunk> stream = openAi.chat().completions().createStreaming(chat(requestId)
                .streamOptions(ChatCompletionStreamOptions.builder().includeUsage(false).build())
                .putAdditionalHeader("X-Request-Id", requestId)
                .build())) {
            stream.stream().forEach(chunks::add);
        }

        assertEquals(StubUpstream.DELTAS, deltas(chunks));
        assertTrue(chunks.stream().allMatch(c -> c.usage().isEmpty()));
        StubUpstream.Recorded seen = onlyRequestContaining(requestId);
        assertTrue(seen.includeUsage(), "the gateway turns include_usage on: " + seen.body());
        assertFalse(seen.body().contains("\"include_usage\":false"), "and does not leave a contradicting member: " + seen.body());
        assertEquals(StubUpstream.TOTAL_TOKENS, gateway.awaitRequestLog(requestId).totalTokens());
    }

    @Test
    void givenStreamingChat_whenResponseHeadArrives_thenItCarriesAGeneratedRequestId() {
        var response = openAi.chat().completions().withRawResponse().createStreaming(chat().build());
        try (StreamResponse<ChatCompletionChunk> stream = response.parse()) {
            assertEquals(StubUpstream.DELTAS, deltas(stream.stream().toList()));
        }

        String requestId = response.requestId().orElseThrow(() -> new AssertionError("no X-Request-Id on a stream"));
        assertFalse(requestId.isBlank());
        assertTrue(gateway.awaitRequestLog(requestId).stream());
    }

    @Test
    void givenCompletionRequest_whenForwarded_thenTextAndUsageComeBack() {
        String requestId = "e2e-completion-" + UUID.randomUUID();

        HttpResponseFor<Completion> response = openAi.completions().withRawResponse().create(CompletionCreateParams.builder()
                .model(PUBLIC_MODEL).prompt("Say hello " + requestId).putAdditionalHeader("X-Request-Id", requestId).build());
        Completion completion = response.parse();

        assertEquals(StubUpstream.CONTENT, completion.choices().getFirst().text());
        assertEquals(StubUpstream.TOTAL_TOKENS, completion.usage().orElseThrow().totalTokens());
        assertEquals("/v1/completions", onlyRequestContaining(requestId).path());
        assertEquals(UPSTREAM_MODEL, onlyRequestContaining(requestId).model());
        RequestLogRow row = gateway.awaitRequestLog(requestId);
        assertEquals(200, row.status());
        assertEquals(StubUpstream.TOTAL_TOKENS, row.totalTokens());
    }

    @Test
    void givenEmbeddingRequest_whenForwarded_thenVectorAndUsageComeBack() {
        String requestId = "e2e-embedding-" + UUID.randomUUID();

        HttpResponseFor<CreateEmbeddingResponse> response = openAi.embeddings().withRawResponse().create(
                EmbeddingCreateParams.builder().model(EMBEDDING_MODEL).input("some text " + requestId)
                        .putAdditionalHeader("X-Request-Id", requestId).build());
        CreateEmbeddingResponse embeddings = response.parse();

        assertEquals(List.of(0.25f, -0.5f, 0.75f), embeddings.data().getFirst().embedding());
        assertEquals(StubUpstream.EMBEDDING_PROMPT_TOKENS, embeddings.usage().promptTokens());
        assertEquals(StubUpstream.EMBEDDING_PROMPT_TOKENS, embeddings.usage().totalTokens());
        StubUpstream.Recorded seen = onlyRequestContaining(requestId);
        assertEquals("/v1/embeddings", seen.path());
        assertEquals(UPSTREAM_EMBEDDING_MODEL, seen.model());
        RequestLogRow row = gateway.awaitRequestLog(requestId);
        assertEquals(200, row.status());
        assertEquals(EMBEDDING_MODEL, row.model());
        assertEquals(StubUpstream.EMBEDDING_PROMPT_TOKENS, row.promptTokens());
        // an embedding has no completion: the gateway records that as 0 (the whole usage stays NULL only when unreported)
        assertEquals(0, row.completionTokens());
        assertEquals(StubUpstream.EMBEDDING_PROMPT_TOKENS, row.totalTokens());
        assertFalse(row.stream());
    }

    @Test
    void givenRequestsWithoutAnId_whenAnswered_thenEachGetsItsOwnRequestId() {
        String first = openAi.chat().completions().withRawResponse().create(chat().build()).requestId().orElseThrow();
        String second = openAi.chat().completions().withRawResponse().create(chat().build()).requestId().orElseThrow();

        assertNotEquals(first, second);
        assertEquals(200, gateway.awaitRequestLog(first).status());
        assertEquals(200, gateway.awaitRequestLog(second).status());
    }

    @Test
    void givenSequentialRequests_whenForwarded_thenTheBackendConnectionIsReused() {
        String first = UUID.randomUUID().toString();
        String second = UUID.randomUUID().toString();

        openAi.chat().completions().create(chat(first).build());
        openAi.chat().completions().create(chat(second).build());

        assertEquals(onlyRequestContaining(first).remotePort(), onlyRequestContaining(second).remotePort(),
                "the second request should travel on the pooled keep-alive connection of the first");
    }

    /** A chat request whose prompt carries {@code marker}, so the backend's copy of it can be found. */
    private static ChatCompletionCreateParams.Builder chat(String marker) {
        return ChatCompletionCreateParams.builder().model(PUBLIC_MODEL).addUserMessage("Say hello " + marker);
    }

    private static ChatCompletionCreateParams.Builder chat() {
        return chat(UUID.randomUUID().toString());
    }

    private static List<String> deltas(List<ChatCompletionChunk> chunks) {
        return chunks.stream()
                .flatMap(c -> c.choices().stream())
                .flatMap(choice -> choice.delta().content().stream())
                .toList();
    }

    private StubUpstream.Recorded onlyRequestContaining(String marker) {
        List<StubUpstream.Recorded> seen = stub.requestsMatching(r -> r.body().contains(marker));
        assertEquals(1, seen.size(), "requests with " + marker);
        return seen.getFirst();
    }

}
