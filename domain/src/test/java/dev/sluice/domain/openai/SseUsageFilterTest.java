package dev.sluice.domain.openai;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SseUsageFilterTest {
    private static final Usage STREAM_USAGE = new Usage(12, 7, 19);

    /** A chat completion stream as OpenAI sends it when asked for usage: three deltas, the usage-only chunk, [DONE]. */
    private static final String ROLE_CHUNK = "data: {\"id\":\"chatcmpl-1\",\"object\":\"chat.completion.chunk\",\"created\":1700000000,"
            + "\"model\":\"gpt-4o\",\"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":\"\"},\"finish_reason\":null}],\"usage\":null}";
    private static final String CONTENT_CHUNK = "data: {\"id\":\"chatcmpl-1\",\"object\":\"chat.completion.chunk\",\"created\":1700000000,"
            + "\"model\":\"gpt-4o\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"Hello, wörld ☕ \\\"usage\\\": {}\"},\"finish_reason\":null}],\"usage\":null}";
    private static final String STOP_CHUNK = "data: {\"id\":\"chatcmpl-1\",\"object\":\"chat.completion.chunk\",\"created\":1700000000,"
            + "\"model\":\"gpt-4o\",\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"stop\"}],\"usage\":null}";
    private static final String USAGE_CHUNK = "data: {\"id\":\"chatcmpl-1\",\"object\":\"chat.completion.chunk\",\"created\":1700000000,"
            + "\"model\":\"gpt-4o\",\"choices\":[],\"usage\":{\"prompt_tokens\":12,\"completion_tokens\":7,\"total_tokens\":19,"
            + "\"prompt_tokens_details\":{\"cached_tokens\":0}}}";
    private static final String DONE = "data: [DONE]";

    static Stream<Arguments> separatorsAndUsageRequests() {
        return Stream.of(
                Arguments.of("\n\n", false),
                Arguments.of("\n\n", true),
                Arguments.of("\r\n\r\n", false),
                Arguments.of("\r\n\r\n", true));
    }

    @ParameterizedTest(name = "separator {0}, client asked for usage: {1}")
    @MethodSource("separatorsAndUsageRequests")
    void givenTheWholeStreamAtOnce_thenUsageIsReadAndTheUsageChunkForwardedOnlyIfAsked(String separator, boolean clientAskedForUsage) {
        SseUsageFilter filter = new SseUsageFilter(clientAskedForUsage);

        byte[] forwarded = relay(filter, stream(separator), List.of());

        assertEquals(text(expectedForwarded(separator, clientAskedForUsage)), text(forwarded));
        assertEquals(Optional.of(STREAM_USAGE), filter.usage());
        assertEquals(5, filter.events());
    }

    @ParameterizedTest(name = "separator {0}, client asked for usage: {1}")
    @MethodSource("separatorsAndUsageRequests")
    void givenTheStreamSplitInTwoAtEveryBytePosition_thenForwardedBytesAndUsageAreThoseOfTheUnsplitStream(
            String separator, boolean clientAskedForUsage) {
        byte[] stream = stream(separator);
        byte[] expected = expectedForwarded(separator, clientAskedForUsage);

        for (int cut = 0; cut <= stream.length; cut++) {
            SseUsageFilter filter = new SseUsageFilter(clientAskedForUsage);
            byte[] forwarded = relay(filter, stream, List.of(cut));

            assertArrayEquals(expected, forwarded, "split at byte " + cut);
            assertEquals(Optional.of(STREAM_USAGE), filter.usage(), "split at byte " + cut);
        }
    }

    @ParameterizedTest(name = "separator {0}, client asked for usage: {1}")
    @MethodSource("separatorsAndUsageRequests")
    void givenTheStreamOneByteAtATime_thenForwardedBytesAndUsageAreThoseOfTheUnsplitStream(
            String separator, boolean clientAskedForUsage) {
        byte[] stream = stream(separator);
        List<Integer> everyByte = new ArrayList<>();
        for (int i = 1; i < stream.length; i++) {
            everyByte.add(i);
        }
        SseUsageFilter filter = new SseUsageFilter(clientAskedForUsage);

        assertArrayEquals(expectedForwarded(separator, clientAskedForUsage), relay(filter, stream, everyByte));
        assertEquals(Optional.of(STREAM_USAGE), filter.usage());
    }

    @ParameterizedTest(name = "separator {0}, client asked for usage: {1}")
    @MethodSource("separatorsAndUsageRequests")
    void givenTheStreamInRandomPieces_thenForwardedBytesAndUsageAreThoseOfTheUnsplitStream(
            String separator, boolean clientAskedForUsage) {
        byte[] stream = stream(separator);
        Random random = new Random(42);
        for (int run = 0; run < 300; run++) {
            List<Integer> cuts = new ArrayList<>();
            for (int at = random.nextInt(40); at < stream.length; at += 1 + random.nextInt(60)) {
                cuts.add(at);
            }
            SseUsageFilter filter = new SseUsageFilter(clientAskedForUsage);

            assertArrayEquals(expectedForwarded(separator, clientAskedForUsage), relay(filter, stream, cuts), "cuts " + cuts);
            assertEquals(Optional.of(STREAM_USAGE), filter.usage(), "cuts " + cuts);
        }
    }

    @Test
    void anUnfinishedEventIsHeldBackUntilItsBlankLineArrives() {
        SseUsageFilter filter = new SseUsageFilter(false);
        String first = ROLE_CHUNK + "\n\n";

        assertEquals("", text(filter.feed(bytes(first.substring(0, 30)))));
        assertEquals("", text(filter.feed(bytes(first.substring(30, first.length() - 1)))));
        assertEquals(first, text(filter.feed(bytes("\n"))));
    }

    @Test
    void onlyWholeEventsAreForwardedAndTheRestWaits() {
        SseUsageFilter filter = new SseUsageFilter(false);
        String first = ROLE_CHUNK + "\n\n";

        assertEquals("", text(filter.feed(bytes(first.substring(0, 30)))));
        assertEquals(first, text(filter.feed(bytes(first.substring(30) + "data: {\"partial"))));
        assertEquals("data: {\"partial\":1}\n\n", text(filter.feed(bytes("\":1}\n\n"))));
    }

    @Test
    void givenAUsageChunkThatAlsoCarriesChoices_thenItIsForwardedEvenIfNotAskedFor() {
        String lastChunk = "data: {\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"stop\"}],"
                + "\"usage\":{\"prompt_tokens\":3,\"completion_tokens\":4,\"total_tokens\":7}}\n\n";
        SseUsageFilter filter = new SseUsageFilter(false);

        assertEquals(lastChunk, text(filter.feed(bytes(lastChunk))));
        assertEquals(Optional.of(new Usage(3, 4, 7)), filter.usage());
    }

    @Test
    void givenAStreamWithoutUsage_thenUsageIsNotReportedRatherThanZero() {
        String events = ROLE_CHUNK + "\n\n" + STOP_CHUNK + "\n\n" + DONE + "\n\n";
        SseUsageFilter filter = new SseUsageFilter(false);

        assertEquals(events, text(filter.feed(bytes(events))));
        assertEquals(Optional.empty(), filter.usage());
    }

    @Test
    void commentsEventFieldsAndDataThatIsNotJsonPassThroughUntouched() {
        String events = ": keep-alive\n\n"
                + "event: message\nid: 7\nretry: 1000\ndata: {\"choices\":[]}\n\n"
                + "data: {not json, \"usage\":{\"prompt_tokens\":1}}\n\n"
                + "data: {\"choices\":[],\"usage\":{\"prompt_tokens\":1}} trailing\n\n"
                + "data:\n\n";
        SseUsageFilter filter = new SseUsageFilter(false);

        assertEquals(events, text(filter.feed(bytes(events))));
        assertEquals(Optional.empty(), filter.usage());
    }

    @Test
    void theUsageChunkIsRecognisedWithoutASpaceAfterDataAndWithOtherFieldsInTheEvent() {
        String usageEvent = "event: chunk\r\ndata:{\"choices\":[ ],\"usage\":{\"prompt_tokens\":5,\"completion_tokens\":1,\"total_tokens\":6}}\r\n\r\n";
        String done = "data: [DONE]\r\n\r\n";
        SseUsageFilter filter = new SseUsageFilter(false);

        assertEquals(done, text(filter.feed(bytes(usageEvent + done))));
        assertEquals(Optional.of(new Usage(5, 1, 6)), filter.usage());
    }

    @Test
    void givenABackendThatEndsWithoutABlankLine_thenFinishReturnsTheLastEventAndReadsItsUsage() {
        SseUsageFilter filter = new SseUsageFilter(true);
        String last = "data: {\"choices\":[],\"usage\":{\"prompt_tokens\":2,\"completion_tokens\":3,\"total_tokens\":5}}";

        assertEquals("", text(filter.feed(bytes(last))));
        assertEquals(last, text(filter.finish()));
        assertEquals(Optional.of(new Usage(2, 3, 5)), filter.usage());
        assertEquals("", text(filter.finish()));
    }

    @Test
    void givenABackendThatEndsWithAnUnterminatedUsageChunkNobodyAskedFor_thenFinishDropsIt() {
        SseUsageFilter filter = new SseUsageFilter(false);
        String content = STOP_CHUNK + "\n\n";
        String usage = "data: {\"choices\":[],\"usage\":{\"prompt_tokens\":2,\"completion_tokens\":3,\"total_tokens\":5}}\n";

        assertEquals(content, text(filter.feed(bytes(content + usage))));
        assertEquals("", text(filter.finish()));
        assertEquals(Optional.of(new Usage(2, 3, 5)), filter.usage());
    }

    @Test
    void aUsageOnlyChunkBetweenOtherEventsIsCutOutExactly() {
        String before = ROLE_CHUNK + "\n\n";
        String after = STOP_CHUNK + "\n\n" + DONE + "\n\n";
        SseUsageFilter filter = new SseUsageFilter(false);

        assertEquals(before + after, text(filter.feed(bytes(before + USAGE_CHUNK + "\n\n" + after))));
    }

    private static byte[] stream(String separator) {
        return bytes(String.join(separator, ROLE_CHUNK, CONTENT_CHUNK, STOP_CHUNK, USAGE_CHUNK, DONE) + separator);
    }

    private static byte[] expectedForwarded(String separator, boolean clientAskedForUsage) {
        List<String> events = clientAskedForUsage
                ? List.of(ROLE_CHUNK, CONTENT_CHUNK, STOP_CHUNK, USAGE_CHUNK, DONE)
                : List.of(ROLE_CHUNK, CONTENT_CHUNK, STOP_CHUNK, DONE);
        return bytes(String.join(separator, events) + separator);
    }

    /** Feeds {@code stream} cut at the given ascending positions, then finishes, and returns all forwarded bytes. */
    private static byte[] relay(SseUsageFilter filter, byte[] stream, List<Integer> cuts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int from = 0;
        for (int cut : cuts) {
            out.writeBytes(filter.feed(java.util.Arrays.copyOfRange(stream, from, cut)));
            from = cut;
        }
        out.writeBytes(filter.feed(java.util.Arrays.copyOfRange(stream, from, stream.length)));
        byte[] rest = filter.finish();
        assertTrue(rest.length == 0, "a stream ending in a blank line leaves nothing to finish");
        return out.toByteArray();
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static String text(byte[] b) {
        return new String(b, StandardCharsets.UTF_8);
    }
}
