package dev.sluice.adapters.tokenizer;

import dev.sluice.domain.openai.PromptText;
import dev.sluice.domain.openai.RequestBody;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class JtokkitTokenCounterTest {
    private final JtokkitTokenCounter counter = new JtokkitTokenCounter();

    @Test
    void countsPlainTextWithTheModelFamilysEncoding() {
        // reference counts from OpenAI's tiktoken for "Hello, world!"
        assertEquals(4, counter.promptTokens("gpt-4o", new PromptText(List.of("Hello, world!"), 0)));
        assertEquals(4, counter.promptTokens("gpt-3.5-turbo", new PromptText(List.of("Hello, world!"), 0)));
        assertEquals("o200k_base", counter.encodingFor("gpt-4o-2024-08-06").getName());
        assertEquals("o200k_base", counter.encodingFor("o3-mini").getName());
        assertEquals("cl100k_base", counter.encodingFor("gpt-4-turbo").getName());
        assertEquals("cl100k_base", counter.encodingFor("text-embedding-3-small").getName());
    }

    @Test
    void unknownModelsFallBackToCl100k() {
        assertEquals("cl100k_base", counter.encodingFor("qwen2.5-72b-instruct").getName());
        assertEquals("o200k_base", counter.encodingFor("openai/gpt-4o").getName());
    }

    @Test
    void chatRequestsAddThePerMessageOverhead() {
        byte[] body = """
                {"model":"gpt-4o","messages":[{"role":"system","content":"You are terse."},
                {"role":"user","content":[{"type":"text","text":"Hello, world!"}]}]}""".getBytes(StandardCharsets.UTF_8);
        PromptText prompt = PromptText.of(((RequestBody.Valid) RequestBody.parse(body)).body());
        assertEquals(2, prompt.messages());
        int contentTokens = counter.promptTokens("gpt-4o", new PromptText(prompt.parts(), 0));
        assertEquals(contentTokens + 2 * PromptText.TOKENS_PER_MESSAGE + 3, counter.promptTokens("gpt-4o", prompt));
        assertTrue(contentTokens >= 7, "system and user text are both counted");
    }

    @Test
    void embeddingInputListsAreCountedWhole() {
        byte[] body = "{\"model\":\"text-embedding-3-small\",\"input\":[\"one\",\"two three\"]}".getBytes(StandardCharsets.UTF_8);
        PromptText prompt = PromptText.of(((RequestBody.Valid) RequestBody.parse(body)).body());
        assertEquals(List.of("one", "two three"), prompt.parts());
        assertEquals(3, counter.promptTokens("text-embedding-3-small", prompt));
    }
}
