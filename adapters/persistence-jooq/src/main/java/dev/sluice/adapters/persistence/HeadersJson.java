package dev.sluice.adapters.persistence;

import dev.sluice.domain.openai.JsonScanner;
import dev.sluice.domain.openai.MalformedJsonException;
import org.jooq.JSONB;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;

/** A backend's extra headers as a flat JSON object of strings, the form the {@code headers} jsonb column holds. */
final class HeadersJson {
    private HeadersJson() {
    }

    static JSONB write(Map<String, String> headers) {
        StringBuilder json = new StringBuilder("{");
        // sorted, so the same headers always give the same document
        new TreeMap<>(headers).forEach((name, value) -> {
            if (json.length() > 1) {
                json.append(',');
            }
            json.append(JsonScanner.quote(name)).append(':').append(JsonScanner.quote(value));
        });
        return JSONB.valueOf(json.append('}').toString());
    }

    static Map<String, String> read(JSONB column) {
        if (column == null || column.data() == null) {
            return Map.of();
        }
        byte[] bytes = column.data().getBytes(StandardCharsets.UTF_8);
        Map<String, String> headers = new LinkedHashMap<>();
        try {
            JsonScanner.scanObject(bytes, 0, bytes.length, (keyStart, keyEnd, valueStart, valueEnd) -> {
                if (bytes[valueStart] != '"') {
                    throw new MalformedJsonException("a header value is not a string");
                }
                headers.put(JsonScanner.decodeString(bytes, keyStart - 1, keyEnd + 1),
                        JsonScanner.decodeString(bytes, valueStart, valueEnd));
            });
        } catch (MalformedJsonException e) {
            throw new IllegalStateException("stored backend headers are not a JSON object of strings: " + e.getMessage());
        }
        return headers;
    }
}
