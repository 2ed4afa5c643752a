package dev.sluice.domain.openai;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;

class ResponseTailTest {
    private static final String RESPONSE = "{\"id\":\"chatcmpl-1\",\"object\":\"chat.completion\",\"choices\":[{\"index\":0,"
            + "\"message\":{\"role\":\"assistant\",\"content\":\"" + "lorem ipsum ".repeat(200) + "\"},\"finish_reason\":\"stop\"}],"
            + "\"usage\":{\"prompt_tokens\":31,\"completion_tokens\":400,\"total_tokens\":431,"
            + "\"prompt_tokens_details\":{\"cached_tokens\":0}},\"system_fingerprint\":\"fp_1\"}\n";

    @Test
    void givenTheWholeResponseInOneChunk_thenUsageIsRead() {
        ResponseTail tail = new ResponseTail(512);
        tail.append(bytes(RESPONSE));

        assertEquals(Optional.of(new Usage(31, 400, 431)), tail.usage());
    }

    @Test
    void givenTheResponseInChunksOfEverySize_thenUsageIsRead() {
        byte[] response = bytes(RESPONSE);
        for (int size = 1; size <= 700; size += 7) {
            ResponseTail tail = new ResponseTail(256);
            for (int from = 0; from < response.length; from += size) {
                tail.append(java.util.Arrays.copyOfRange(response, from, Math.min(response.length, from + size)));
            }
            assertEquals(Optional.of(new Usage(31, 400, 431)), tail.usage(), "chunks of " + size);
        }
    }

    @Test
    void givenATailTooSmallToHoldTheUsage_thenUsageIsNotReported() {
        ResponseTail tail = new ResponseTail(40);
        byte[] response = bytes(RESPONSE);
        for (byte b : response) {
            tail.append(new byte[] {b}); // one byte a chunk: only the last 40 bytes are kept
        }

        assertEquals(Optional.empty(), tail.usage());
    }

    @Test
    void aWholeChunkIsKeptSoUsageInALargeLastChunkIsFound() {
        ResponseTail tail = new ResponseTail(40);
        tail.append(bytes(RESPONSE));

        assertEquals(Optional.of(new Usage(31, 400, 431)), tail.usage());
    }

    @Test
    void givenAResponseWithoutUsage_thenUsageIsNotReported() {
        ResponseTail tail = new ResponseTail(1024);
        tail.append(bytes("{\"object\":\"list\",\"data\":[]}"));

        assertEquals(Optional.empty(), tail.usage());
    }

    @Test
    void givenNothingAppended_thenUsageIsNotReported() {
        assertEquals(Optional.empty(), new ResponseTail(256).usage());
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
