package dev.sluice.domain.openai;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class JsonScannerTest {

    @ParameterizedTest(name = "[{index}] {0}")
    @ValueSource(strings = {
            "",
            "   ",
            "[]",
            "\"just a string\"",
            "42",
            "{",
            "{\"model\"",
            "{\"model\":",
            "{\"model\":\"gpt",
            "{\"model\":\"gpt\"",
            "{\"model\":\"gpt\",",
            "{\"a\":[1,2",
            "{\"a\":{\"b\":1}",
            "{\"model\":\"gpt\"}x",
            "{\"model\":\"gpt\"}{}",
            "{\"model\":\"gpt\"}}",
            "{\"model\":\"gpt\"} ,",
            "{\"a\":1,}",
            "{,\"a\":1}",
            "{\"a\":[1,]}",
            "{\"a\":[,1]}",
            "{\"a\" 1}",
            "{\"a\":1 \"b\":2}",
            "{a:1}",
            "{'a':1}",
            "{\"a\":\"\\x\"}",
            "{\"a\":\"\\u12G4\"}",
            "{\"a\":\"\\u12\"}",
            "{\"a\":\"\\",
            "{\"a\":\"tab\there\"}",
            "{\"a\":\"new\nline\"}",
            "{\"a\":01}",
            "{\"a\":-01}",
            "{\"a\":00}",
            "{\"a\":+1}",
            "{\"a\":.5}",
            "{\"a\":1.}",
            "{\"a\":1e}",
            "{\"a\":1e+}",
            "{\"a\":-}",
            "{\"a\":tru}",
            "{\"a\":True}",
            "{\"a\":nul}",
            "{\"a\":NaN}",
            "{\"a\":Infinity}",
            "{\"a\":undefined}",
    })
    void malformedJsonIsRejected(String json) {
        assertThrows(MalformedJsonException.class, () -> scan(json));
    }

    @ParameterizedTest(name = "[{index}] {0}")
    @ValueSource(strings = {
            "{}",
            " \t\r\n{ \t\r\n} \t\r\n",
            "{\"\":0}",
            "{\"a\":\"caf\\u00e9 \\ud83d\\ude00 \\\"q\\\" \\\\ \\/ \\b\\f\\n\\r\\t\"}",
            "{\"a\":\"raw UTF-8: café ☕ 😀\"}",
            "{\"a\":[],\"b\":{},\"c\":[{}],\"d\":[[[]]]}",
            "{\"n\":[0,-0,1,-1,0.5,-0.5,1e5,1E5,1e+5,1e-5,1.25e-05,123456789012345678901234567890]}",
            "{\"t\":true,\"f\":false,\"z\":null}",
            "{\"unknown\":{\"deeply\":{\"nested\":[{\"x\":[1,{\"y\":null}]}]}}}",
            "{\"dup\":1,\"dup\":2}",
            "{ \"a\" : 1 , \"b\" :\n[ 1 ,\t2 ] }",
    })
    void validButUnusualJsonIsAccepted(String json) throws MalformedJsonException {
        scan(json);
    }

    @Test
    void givenModerateNesting_whenScanning_thenAccepted() throws MalformedJsonException {
        scan("{\"a\":" + "[".repeat(100) + "]".repeat(100) + "}");
        scan("{\"a\":" + "{\"b\":".repeat(100) + "1" + "}".repeat(100) + "}");
    }

    @Test
    void givenHostileNesting_whenScanning_thenRejectedWithoutStackOverflow() {
        int depth = 100_000;
        assertThrows(MalformedJsonException.class, () -> scan("{\"a\":" + "[".repeat(depth) + "]".repeat(depth) + "}"));
        assertThrows(MalformedJsonException.class, () -> scan("{\"a\":" + "{\"b\":".repeat(depth) + "1" + "}".repeat(depth) + "}"));
        assertThrows(MalformedJsonException.class, () -> scan("{\"a\":" + "[".repeat(depth)));
    }

    @Test
    void visitsOnlyTopLevelMembersWithTheirExactRanges() throws MalformedJsonException {
        byte[] json = bytes(" {\"model\" : \"gpt\", \"nested\":{\"model\":\"inner\"}, \"n\": -1.5e3 } ");
        Map<String, String> members = new LinkedHashMap<>();
        int close = JsonScanner.scanObject(json, 0, json.length,
                (ks, ke, vs, ve) -> members.put(text(json, ks, ke), text(json, vs, ve)));

        assertEquals(Map.of("model", "\"gpt\"", "nested", "{\"model\":\"inner\"}", "n", "-1.5e3"), members);
        assertEquals(json.length - 2, close, "index of the closing brace");
    }

    @Test
    void scansOnlyTheGivenRange() throws MalformedJsonException {
        byte[] json = bytes("garbage{\"a\":1}garbage");
        Map<String, String> members = new LinkedHashMap<>();
        JsonScanner.scanObject(json, 7, 14, (ks, ke, vs, ve) -> members.put(text(json, ks, ke), text(json, vs, ve)));
        assertEquals(Map.of("a", "1"), members);
    }

    @Test
    void skipValueReturnsTheIndexJustPastOneValue() throws MalformedJsonException {
        byte[] json = bytes("  {\"a\":[1,\"}\"]} trailing");
        assertEquals(json.length - " trailing".length(), JsonScanner.skipValue(json, 0, json.length));
    }

    @Test
    void decodeStringUnescapesEveryEscapeIncludingSurrogatePairs() {
        byte[] json = bytes("\"caf\\u00e9 \\ud83d\\ude00 \\\"q\\\" \\\\ \\/ \\b\\f\\n\\r\\t ☕\"");
        assertEquals("café 😀 \"q\" \\ / \b\f\n\r\t ☕", JsonScanner.decodeString(json, 0, json.length));
    }

    @Test
    void decodeStringOfPlainTextIsTheText() {
        byte[] json = bytes("\"gpt-4o ☕\"");
        assertEquals("gpt-4o ☕", JsonScanner.decodeString(json, 0, json.length));
    }

    @Test
    void quoteRoundTripsThroughTheScannerAndDecoder() throws MalformedJsonException {
        String text = "a \"quoted\" \\ path\nwith\ttabs\r\u0001\u001f and café 😀";
        byte[] json = bytes("{\"k\":" + JsonScanner.quote(text) + "}");
        String[] decoded = new String[1];
        JsonScanner.scanObject(json, 0, json.length, (ks, ke, vs, ve) -> decoded[0] = JsonScanner.decodeString(json, vs, ve));
        assertEquals(text, decoded[0]);
    }

    private static void scan(String json) throws MalformedJsonException {
        byte[] b = bytes(json);
        JsonScanner.scanObject(b, 0, b.length, (ks, ke, vs, ve) -> {
        });
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static String text(byte[] b, int start, int end) {
        return new String(b, start, end - start, StandardCharsets.UTF_8);
    }
}
