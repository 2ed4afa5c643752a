package dev.sluice.domain.openai;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.charset.StandardCharsets;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class UsageParserTest {

    @Test
    void readsTheThreeCountsAndIgnoresDetails() {
        assertEquals(Optional.of(new Usage(10, 20, 30)), parse(
                "{\"prompt_tokens\":10,\"completion_tokens\":20,\"total_tokens\":30,"
                        + "\"completion_tokens_details\":{\"reasoning_tokens\":5,\"total_tokens\":999}}"));
    }

    @Test
    void givenAnEmbeddingsUsageWithoutCompletionTokens_thenCompletionIsZero() {
        assertEquals(Optional.of(new Usage(8, 0, 8)), parse("{\"prompt_tokens\":8,\"total_tokens\":8}"));
    }

    @Test
    void givenNoTotal_thenTotalIsTheSumOfTheParts() {
        assertEquals(Optional.of(new Usage(8, 2, 10)), parse("{\"prompt_tokens\":8,\"completion_tokens\":2}"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"{}", "{\"completion_tokens\":3}", "{\"prompt_tokens\":null}", "{\"prompt_tokens\":-1}",
            "{\"prompt_tokens\":1.5}", "{\"prompt_tokens\":\"10\"}", "{\"prompt_tokens\":99999999999}",
            "null", "[]", "{\"prompt_tokens\":1", ""})
    void givenNoUsableCounts_thenUsageIsNotReported(String json) {
        assertEquals(Optional.empty(), parse(json));
    }

    @Test
    void givenHugePartsWithoutATotal_thenParsingDoesNotFail() {
        Optional<Usage> usage = parse("{\"prompt_tokens\":2000000000,\"completion_tokens\":2000000000}");

        assertEquals(2_000_000_000, usage.orElseThrow().promptTokens());
        assertEquals(Integer.MAX_VALUE, usage.orElseThrow().totalTokens());
    }

    @Test
    void findInTailReadsTheLastUsageMember() {
        String response = "{\"id\":\"x\",\"choices\":[{\"message\":{\"content\":\"the word \\\"usage\\\": {} appears\"}}],"
                + "\"usage\" :\n {\"prompt_tokens\":1,\"completion_tokens\":2,\"total_tokens\":3}}";

        assertEquals(Optional.of(new Usage(1, 2, 3)), findInTail(response));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "{}", "\"usage\"", "{\"usage\":null}", "{\"usage\":\"none\"}",
            "{\"usage\":{\"prompt_tokens\":1,", "{\"usage\"}"})
    void findInTailWithoutAUsableUsageObjectReportsNothing(String tail) {
        assertEquals(Optional.empty(), findInTail(tail));
    }

    @Test
    void usageCountsCannotBeNegative() {
        assertThrows(IllegalArgumentException.class, () -> new Usage(-1, 0, 0));
    }

    private static Optional<Usage> parse(String json) {
        byte[] b = json.getBytes(StandardCharsets.UTF_8);
        return UsageParser.parseObject(b, 0, b.length);
    }

    private static Optional<Usage> findInTail(String tail) {
        byte[] b = tail.getBytes(StandardCharsets.UTF_8);
        return UsageParser.findInTail(b, b.length);
    }
}
