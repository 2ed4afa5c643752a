package dev.sluice.domain.openai;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class OpenAiErrorTest {

    @Test
    void theJsonHasTheShapeOpenAiSdksExpect() throws MalformedJsonException {
        Map<String, String> error = errorMembers(OpenAiError.invalidRequest("bad \"model\"\n", "model").toJsonBytes());

        assertEquals(Map.of(
                "message", "\"bad \\\"model\\\"\\n\"",
                "type", "\"invalid_request_error\"",
                "code", "\"invalid_request\"",
                "param", "\"model\""), error);
    }

    @Test
    void anAbsentCodeOrParamIsJsonNull() throws MalformedJsonException {
        Map<String, String> error = errorMembers(new OpenAiError(500, "api_error", null, "boom", null).toJsonBytes());

        assertEquals("null", error.get("code"));
        assertEquals("null", error.get("param"));
    }

    @Test
    void theSseFormIsOneDataEventHoldingTheSameJson() {
        OpenAiError error = OpenAiError.backendFailed("primary");
        String event = new String(error.toSseEvent(), StandardCharsets.UTF_8);

        assertEquals("data: " + error.toJson() + "\n\n", event);
    }

    @Test
    void statusesAndCodesOfTheGatewaysErrors() {
        assertStatusAndCode(401, "missing_api_key", OpenAiError.missingApiKey());
        assertStatusAndCode(401, "invalid_api_key", OpenAiError.invalidApiKey());
        assertStatusAndCode(400, "missing_app_name", OpenAiError.missingAppName());
        assertStatusAndCode(404, "model_not_found", OpenAiError.modelNotFound("x"));
        assertStatusAndCode(400, "invalid_json", OpenAiError.invalidJson("x"));
        assertStatusAndCode(502, "backend_unreachable", OpenAiError.backendUnreachable("b"));
        assertStatusAndCode(502, "backend_error", OpenAiError.backendFailed("b"));
        assertStatusAndCode(504, "backend_timeout", OpenAiError.backendTimeout("b"));
        assertStatusAndCode(503, "gateway_overloaded", OpenAiError.overloaded("busy"));
        assertStatusAndCode(413, "request_too_large", OpenAiError.bodyTooLarge(10));
        assertEquals("model", OpenAiError.modelNotFound("x").param());
        assertTrue(OpenAiError.modelNotFound("gpt-9").message().contains("gpt-9"));
    }

    private static void assertStatusAndCode(int status, String code, OpenAiError error) {
        assertEquals(status, error.status(), code);
        assertEquals(code, error.code());
    }

    private static Map<String, String> errorMembers(byte[] json) throws MalformedJsonException {
        Map<String, String> top = new HashMap<>();
        JsonScanner.scanObject(json, 0, json.length, (ks, ke, vs, ve) -> top.put(text(json, ks, ke), text(json, vs, ve)));
        assertEquals(1, top.size(), "only the error member");
        byte[] inner = top.get("error").getBytes(StandardCharsets.UTF_8);
        Map<String, String> members = new HashMap<>();
        JsonScanner.scanObject(inner, 0, inner.length, (ks, ke, vs, ve) -> members.put(text(inner, ks, ke), text(inner, vs, ve)));
        return members;
    }

    private static String text(byte[] b, int start, int end) {
        return new String(b, start, end - start, StandardCharsets.UTF_8);
    }
}
