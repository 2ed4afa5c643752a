package dev.sluice.domain.openai;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SseOutputCapTest {
    /** One token a word, for readable tests. */
    private static int words(String text) {
        return text.isBlank() ? 0 : text.strip().split("\\s+").length;
    }

    private static String event(String content) {
        return "data: {\"id\":\"c1\",\"object\":\"chat.completion.chunk\",\"created\":7,\"model\":\"m\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\""
                + content + "\"},\"finish_reason\":null}]}\n\n";
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void givenAStreamWithinTheCap_thenEveryByteIsForwardedUnchanged() {
        SseOutputCap cap = new SseOutputCap(3, SseOutputCapTest::words, false, 10, Endpoint.CHAT_COMPLETIONS);
        byte[] events = bytes(event("one") + event(" two") + event(" three"));

        assertArrayEquals(events, cap.pass(events));
        assertFalse(cap.cut());
        assertEquals(3, cap.counted());
    }

    @Test
    void givenAStreamPastTheCap_thenItEndsWithLengthUsageAndDone() {
        SseOutputCap cap = new SseOutputCap(2, SseOutputCapTest::words, true, 10, Endpoint.CHAT_COMPLETIONS);
        String forwarded = new String(cap.pass(bytes(event("one") + event(" two") + event(" three") + event(" four"))),
                StandardCharsets.UTF_8);

        assertTrue(cap.cut());
        assertTrue(forwarded.startsWith(event("one") + event(" two") + event(" three")), forwarded);
        assertFalse(forwarded.contains("four"));
        assertTrue(forwarded.contains("\"finish_reason\":\"length\""));
        assertTrue(forwarded.contains("\"usage\":{\"prompt_tokens\":10,\"completion_tokens\":3,\"total_tokens\":13}"));
        assertTrue(forwarded.endsWith("data: [DONE]\n\n"));
        assertTrue(forwarded.contains("\"id\":\"c1\"") && forwarded.contains("\"model\":\"m\""));
        assertEquals(0, cap.pass(bytes(event(" five"))).length, "nothing follows the end");
        assertEquals(new Usage(10, 3, 13), cap.usage());
    }

    @Test
    void withoutTheClientAskingForUsage_thenNoUsageChunkIsAdded() {
        SseOutputCap cap = new SseOutputCap(0, SseOutputCapTest::words, false, 5, Endpoint.CHAT_COMPLETIONS);
        String forwarded = new String(cap.pass(bytes(event("one"))), StandardCharsets.UTF_8);

        assertTrue(cap.cut());
        assertFalse(forwarded.contains("\"usage\""));
        assertTrue(forwarded.endsWith("data: [DONE]\n\n"));
    }

    @Test
    void textCompletionsAreCountedByTheirText() {
        SseOutputCap cap = new SseOutputCap(1, SseOutputCapTest::words, false, 1, Endpoint.COMPLETIONS);
        String e = "data: {\"id\":\"x\",\"object\":\"text_completion\",\"created\":1,\"model\":\"m\",\"choices\":[{\"index\":0,\"text\":\"a b\"}]}\n\n";
        String forwarded = new String(cap.pass(bytes(e)), StandardCharsets.UTF_8);

        assertTrue(cap.cut());
        assertTrue(forwarded.contains("\"object\":\"text_completion\"") && forwarded.contains("\"finish_reason\":\"length\""));
    }
}
