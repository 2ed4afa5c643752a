package dev.sluice.domain.openai;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.charset.StandardCharsets;
import java.util.OptionalLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RequestBodyTest {

    @Test
    void givenAChatRequest_whenParsed_thenModelStreamAndMaxTokensAreRead() {
        RequestBody body = valid("{\"model\":\"gpt-4o\",\"stream\":true,\"max_tokens\":256,\"messages\":[]}");

        assertEquals("gpt-4o", body.model());
        assertTrue(body.stream());
        assertFalse(body.clientWantsStreamUsage());
        assertEquals(OptionalLong.of(256), body.maxTokens());
    }

    @Test
    void maxCompletionTokensCountsAsMaxTokens() {
        assertEquals(OptionalLong.of(64), valid("{\"model\":\"m\",\"max_completion_tokens\":64}").maxTokens());
    }

    @ParameterizedTest
    @ValueSource(strings = {"null", "-1", "1.5", "\"100\""})
    void givenAMaxTokensThatIsNotACount_thenItIsUnknown(String value) {
        assertEquals(OptionalLong.empty(), valid("{\"model\":\"m\",\"max_tokens\":" + value + "}").maxTokens());
    }

    @ParameterizedTest
    @ValueSource(strings = {"false", "\"true\"", "1", "null"})
    void onlyLiteralTrueMeansStream(String value) {
        assertFalse(valid("{\"model\":\"m\",\"stream\":" + value + "}").stream());
    }

    @Test
    void givenEscapesInTheModelName_thenTheModelIsDecoded() {
        assertEquals("gpt-4o", valid("{\"model\":\"gpt\\u002d4o\"}").model());
    }

    @Test
    void aModelMemberInsideANestedObjectIsNotTheRequestModel() {
        assertEquals("outer", valid("{\"metadata\":{\"model\":\"inner\"},\"model\":\"outer\"}").model());
        assertEquals("model", invalid("{\"metadata\":{\"model\":\"inner\"}}").param());
    }

    @Test
    void givenNoModel_thenInvalidRequestNamingParamModel() {
        OpenAiError error = invalid("{\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}");

        assertEquals(400, error.status());
        assertEquals("invalid_request_error", error.type());
        assertEquals("model", error.param());
    }

    @ParameterizedTest
    @ValueSource(strings = {"42", "null", "true", "[\"gpt-4o\"]", "{\"name\":\"gpt-4o\"}", "\"\"", "\"   \""})
    void givenAModelThatIsNotANonBlankString_thenInvalidRequestNamingParamModel(String model) {
        OpenAiError error = invalid("{\"model\":" + model + "}");

        assertEquals(400, error.status());
        assertEquals("invalid_request_error", error.type());
        assertEquals("model", error.param());
    }

    @ParameterizedTest
    @ValueSource(strings = {"", " ", "{\"model\":\"m\"", "{\"model\":\"m\"}garbage", "{\"model\":\"\\q\"}",
            "{\"model\":\"m\",\"n\":007}", "[{\"model\":\"m\"}]"})
    void givenMalformedJson_thenInvalidJsonError(String json) {
        OpenAiError error = invalid(json);

        assertEquals(400, error.status());
        assertEquals("invalid_json", error.code());
        assertEquals("invalid_request_error", error.type());
    }

    @Test
    void givenDeeplyNestedJson_thenInvalidJsonError() {
        String json = "{\"model\":\"m\",\"x\":" + "[".repeat(50_000) + "]".repeat(50_000) + "}";
        assertEquals("invalid_json", invalid(json).code());
    }

    @Test
    void givenTheSameModelUpstreamAndNoStream_thenTheClientsBytesAreSentAsTheyAre() {
        byte[] original = bytes("{ \"model\" : \"m\", \"x\" : [1, 2.50, {\"y\": null}] }\n");
        RequestBody body = ((RequestBody.Valid) RequestBody.parse(original)).body();

        assertSame(original, body.forUpstream("m", false));
    }

    @Test
    void givenAnUpstreamModelName_thenOnlyTheModelValueIsReplaced() {
        String upstream = spliced("{ \"temperature\" :0.70,\"model\" :  \"gpt-4o\" ,\"x-unknown\":{\"keep\":[\"me\",1e3]}}\n",
                "gpt-4o-2024-08-06", false);

        assertEquals("{ \"temperature\" :0.70,\"model\" :  \"gpt-4o-2024-08-06\" ,\"x-unknown\":{\"keep\":[\"me\",1e3]}}\n", upstream);
    }

    @Test
    void anUpstreamModelNameNeedingEscapesIsWrittenAsAValidJsonString() {
        String upstream = spliced("{\"model\":\"m\"}", "org/model \"v2\"", false);

        assertEquals("{\"model\":\"org/model \\\"v2\\\"\"}", upstream);
        assertEquals("org/model \"v2\"", valid(upstream).model());
    }

    @Test
    void givenAStreamWithoutStreamOptions_thenIncludeUsageIsAddedAndEverythingElseKept() {
        String upstream = spliced("{\"model\":\"m\",\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"hé}\"}]} \n",
                "m", true);

        assertEquals("{\"model\":\"m\",\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"hé}\"}]"
                + ",\"stream_options\":{\"include_usage\":true}} \n", upstream);
        assertValidJsonWithIncludeUsage(upstream);
    }

    @Test
    void givenAStreamWithIncludeUsageFalse_thenItBecomesTrue() {
        String upstream = spliced("{\"model\":\"m\",\"stream\":true,\"stream_options\":{\"include_usage\" : false,\"other\":1}}", "m", true);

        assertEquals("{\"model\":\"m\",\"stream\":true,\"stream_options\":{\"include_usage\" : true,\"other\":1}}", upstream);
    }

    @Test
    void givenAStreamWithIncludeUsageNull_thenItBecomesTrue() {
        assertEquals("{\"model\":\"m\",\"stream\":true,\"stream_options\":{\"include_usage\":true}}",
                spliced("{\"model\":\"m\",\"stream\":true,\"stream_options\":{\"include_usage\":null}}", "m", true));
    }

    @Test
    void givenStreamOptionsWithOtherMembers_thenTheyAreKeptAndIncludeUsageAdded() {
        String upstream = spliced("{\"model\":\"m\",\"stream\":true,\"stream_options\":{ \"continuous_usage_stats\":true }}", "m", true);

        assertEquals("{\"model\":\"m\",\"stream\":true,\"stream_options\":{\"include_usage\":true, \"continuous_usage_stats\":true }}", upstream);
        assertValidJsonWithIncludeUsage(upstream);
    }

    @Test
    void givenEmptyStreamOptions_thenIncludeUsageIsTheOnlyMember() {
        String upstream = spliced("{\"model\":\"m\",\"stream\":true,\"stream_options\":{ }}", "m", true);

        assertEquals("{\"model\":\"m\",\"stream\":true,\"stream_options\":{\"include_usage\":true }}", upstream);
        assertValidJsonWithIncludeUsage(upstream);
    }

    @Test
    void givenStreamOptionsNull_thenTheUpstreamBodyHasExactlyOneStreamOptionsWithIncludeUsage() {
        String upstream = spliced("{\"model\":\"m\",\"stream\":true,\"stream_options\":null}", "m", true);

        assertEquals(1, occurrences(upstream, "\"stream_options\""), upstream);
        assertEquals("{\"model\":\"m\",\"stream\":true,\"stream_options\":{\"include_usage\":true}}", upstream);
        assertValidJsonWithIncludeUsage(upstream);
    }

    @Test
    void givenTheClientAskedForUsage_thenTheStreamBodyIsUntouched() {
        byte[] original = bytes("{\"model\":\"m\",\"stream\":true,\"stream_options\":{\"include_usage\":true}}");
        RequestBody body = ((RequestBody.Valid) RequestBody.parse(original)).body();

        assertTrue(body.clientWantsStreamUsage());
        assertSame(original, body.forUpstream("m", true));
    }

    @Test
    void givenANonStreamRequest_thenNoStreamOptionsAreAdded() {
        assertEquals("{\"model\":\"m\"}", spliced("{\"model\":\"m\"}", "m", true));
    }

    @Test
    void givenAStreamFlagTheEndpointCannotHonour_thenNoStreamOptionsAreAdded() {
        String json = "{\"model\":\"m\",\"stream\":true,\"input\":\"x\"}";
        assertEquals(json, spliced(json, "m", false));
    }

    @Test
    void modelRenameAndIncludeUsageAreSplicedTogether() {
        String upstream = spliced("{\"stream_options\":{\"include_usage\":false},\"stream\":true,\"model\":\"short\",\"z\":\"☕\"}",
                "a-much-longer-upstream-model-name", true);

        assertEquals("{\"stream_options\":{\"include_usage\":true},\"stream\":true,\"model\":\"a-much-longer-upstream-model-name\",\"z\":\"☕\"}",
                upstream);
    }

    private static void assertValidJsonWithIncludeUsage(String upstream) {
        RequestBody reparsed = valid(upstream);
        assertTrue(reparsed.clientWantsStreamUsage(), upstream);
    }

    private static String spliced(String json, String upstreamModel, boolean stream) {
        return new String(valid(json).forUpstream(upstreamModel, stream), StandardCharsets.UTF_8);
    }

    private static RequestBody valid(String json) {
        return assertInstanceOf(RequestBody.Valid.class, RequestBody.parse(bytes(json)), json).body();
    }

    private static OpenAiError invalid(String json) {
        return assertInstanceOf(RequestBody.Invalid.class, RequestBody.parse(bytes(json)), json).error();
    }

    private static int occurrences(String text, String part) {
        int n = 0;
        for (int i = text.indexOf(part); i >= 0; i = text.indexOf(part, i + 1)) {
            n++;
        }
        return n;
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
