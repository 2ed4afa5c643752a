package dev.sluice.bootstrap.e2e;

import com.openai.client.OpenAIClient;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.Map;
import java.util.Optional;
import java.util.UUID;

import static dev.sluice.bootstrap.e2e.BackendSpec.aBackend;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** Stopping the gateway writes the request log it still holds in memory. */
class GracefulShutdownEndToEndTest {
    private StubUpstream stub;
    private Gateway gateway;

    @AfterEach
    void cleanUp() {
        if (gateway != null) {
            gateway.close();
        }
        if (stub != null) {
            stub.close();
        }
    }

    @Test
    void givenUnwrittenRequestLog_whenTheGatewayStops_thenEveryRecordIsWrittenFirst() {
        stub = StubUpstream.start();
        // the writer would wait an hour: only the shutdown can write these records
        gateway = Gateway.start(Map.of("sluice.request-log.flush-interval", "1h"));
        gateway.admin().createBackend(aBackend().at(stub).serving("shutdown-model", "stub-shutdown"));
        OpenAIClient openAi = gateway.openAi(gateway.admin().newAppKey());
        String streamed = "e2e-shutdown-stream-" + UUID.randomUUID();
        String plain = "e2e-shutdown-plain-" + UUID.randomUUID();
        try {
            openAi.chat().completions().create(chat(plain));
            try (var stream = openAi.chat().completions().createStreaming(chat(streamed))) {
                assertEquals(4, stream.stream().count());
            }
        } finally {
            openAi.close();
        }
        assertEquals(Optional.empty(), gateway.findRequestLog(plain), "still only in memory");

        gateway.stop();

        assertEquals(200, gateway.findRequestLog(plain).orElseThrow().status());
        RequestLogRow row = gateway.findRequestLog(streamed).orElseThrow();
        assertEquals(StubUpstream.TOTAL_TOKENS, row.totalTokens());
    }

    private static ChatCompletionCreateParams chat(String requestId) {
        return ChatCompletionCreateParams.builder().model("shutdown-model").addUserMessage("hello")
                .putAdditionalHeader("X-Request-Id", requestId).build();
    }
}
