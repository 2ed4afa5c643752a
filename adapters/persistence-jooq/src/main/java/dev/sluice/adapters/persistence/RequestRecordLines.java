package dev.sluice.adapters.persistence;

import dev.sluice.domain.openai.Endpoint;
import dev.sluice.domain.openai.JsonScanner;
import dev.sluice.domain.openai.MalformedJsonException;
import dev.sluice.domain.openai.Usage;
import dev.sluice.domain.usage.AttemptRecord;
import dev.sluice.domain.usage.RequestRecord;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.UUID;

/**
 * A {@link RequestRecord} as one line of JSON (no newline inside), for the request log's spill
 * files. Every field round-trips exactly: an empty Optional is {@code null}, usage the backend did
 * not report is {@code null} (never zeros), text keeps NUL and lone surrogates (escaped), and the
 * start time keeps its nanoseconds.
 */
final class RequestRecordLines {
    /** Format version, written in every line as {@code "v"}. */
    static final int VERSION = 1;

    private RequestRecordLines() {
    }

    static String encode(RequestRecord r) {
        StringBuilder j = new StringBuilder(512).append("{\"v\":").append(VERSION);
        j.append(",\"requestId\":").append(quote(r.requestId()));
        j.append(",\"startedAt\":").append(quote(r.startedAt().toString()));
        j.append(",\"endpoint\":").append(quote(r.endpoint().name()));
        j.append(",\"appId\":").append(optional(r.appId()));
        j.append(",\"appName\":").append(optional(r.appName()));
        j.append(",\"model\":").append(optional(r.model()));
        j.append(",\"backendId\":").append(optional(r.backendId()));
        j.append(",\"backendName\":").append(optional(r.backendName()));
        j.append(",\"status\":").append(r.status());
        j.append(",\"errorType\":").append(optional(r.errorType()));
        j.append(",\"latencyUs\":").append(r.latencyMicros());
        j.append(",\"ttftUs\":").append(optional(r.timeToFirstTokenMicros()));
        Optional<Usage> usage = r.usage() == null ? Optional.empty() : r.usage();
        j.append(",\"usage\":").append(usage.map(u -> "[" + u.promptTokens() + "," + u.completionTokens() + ","
                + u.totalTokens() + "]").orElse("null"));
        j.append(",\"stream\":").append(r.stream());
        j.append(",\"clientAborted\":").append(r.clientAborted());
        j.append(",\"attempts\":[");
        for (int i = 0; i < r.attempts().size(); i++) {
            AttemptRecord a = r.attempts().get(i);
            if (i > 0) {
                j.append(',');
            }
            j.append("{\"n\":").append(a.number())
                    .append(",\"backendId\":").append(a.backendId() == null ? "null" : quote(a.backendId().toString()))
                    .append(",\"backendName\":").append(a.backendName() == null ? "null" : quote(a.backendName()))
                    .append(",\"status\":").append(a.status().isPresent() ? Integer.toString(a.status().getAsInt()) : "null")
                    .append(",\"error\":").append(optional(a.error()))
                    .append(",\"latencyUs\":").append(a.latencyMicros())
                    .append('}');
        }
        j.append(']');
        j.append(",\"keyId\":").append(optional(r.keyId()));
        j.append(",\"queueWaitUs\":").append(optional(r.queueWaitMicros()));
        j.append(",\"usageEstimated\":").append(r.usageEstimated());
        return j.append('}').toString();
    }

    /** Decodes one line written by {@link #encode}; throws {@link IllegalArgumentException} when it is not one. */
    static RequestRecord decode(String line) {
        byte[] b = line.getBytes(StandardCharsets.UTF_8);
        try {
            Map<String, int[]> m = members(b, 0, b.length);
            long version = number(b, m, "v");
            if (version != VERSION) {
                throw new IllegalArgumentException("unknown spill line version " + version);
            }
            List<AttemptRecord> attempts = new ArrayList<>();
            int[] a = required(m, "attempts");
            JsonScanner.scanArray(b, a[0], a[1], (s, e) -> {
                Map<String, int[]> am = members(b, s, e);
                String backendId = string(b, am, "backendId");
                attempts.add(new AttemptRecord((int) number(b, am, "n"),
                        backendId == null ? null : UUID.fromString(backendId),
                        string(b, am, "backendName"),
                        isNull(b, am, "status") ? OptionalInt.empty() : OptionalInt.of((int) number(b, am, "status")),
                        Optional.ofNullable(string(b, am, "error")),
                        number(b, am, "latencyUs")));
            });
            Optional<Usage> usage = Optional.empty();
            if (!isNull(b, m, "usage")) {
                int[] u = required(m, "usage");
                List<Integer> tokens = new ArrayList<>(3);
                JsonScanner.scanArray(b, u[0], u[1], (s, e) -> tokens.add(Integer.parseInt(ascii(b, s, e))));
                if (tokens.size() != 3) {
                    throw new IllegalArgumentException("usage must hold three token counts");
                }
                usage = Optional.of(new Usage(tokens.get(0), tokens.get(1), tokens.get(2)));
            }
            return new RequestRecord(
                    requiredString(b, m, "requestId"),
                    Instant.parse(requiredString(b, m, "startedAt")),
                    Endpoint.valueOf(requiredString(b, m, "endpoint")),
                    Optional.ofNullable(string(b, m, "appId")).map(UUID::fromString),
                    Optional.ofNullable(string(b, m, "appName")),
                    Optional.ofNullable(string(b, m, "model")),
                    Optional.ofNullable(string(b, m, "backendId")).map(UUID::fromString),
                    Optional.ofNullable(string(b, m, "backendName")),
                    (int) number(b, m, "status"),
                    Optional.ofNullable(string(b, m, "errorType")),
                    number(b, m, "latencyUs"),
                    isNull(b, m, "ttftUs") ? OptionalLong.empty() : OptionalLong.of(number(b, m, "ttftUs")),
                    usage,
                    bool(b, m, "stream"),
                    bool(b, m, "clientAborted"),
                    attempts,
                    Optional.ofNullable(string(b, m, "keyId")).map(UUID::fromString),
                    isNull(b, m, "queueWaitUs") ? OptionalLong.empty() : OptionalLong.of(number(b, m, "queueWaitUs")),
                    bool(b, m, "usageEstimated"));
        } catch (MalformedJsonException | RuntimeException e) {
            throw new IllegalArgumentException("not a spilled request record: " + e.getMessage(), e);
        }
    }

    /** JsonScanner.quote, with surrogates escaped too, so that a lone one survives UTF-8. */
    static String quote(String text) {
        String quoted = JsonScanner.quote(text);
        boolean surrogate = false;
        for (int i = 0; i < quoted.length() && !surrogate; i++) {
            surrogate = Character.isSurrogate(quoted.charAt(i));
        }
        if (!surrogate) {
            return quoted;
        }
        StringBuilder out = new StringBuilder(quoted.length() + 16);
        for (int i = 0; i < quoted.length(); i++) {
            char c = quoted.charAt(i);
            if (Character.isSurrogate(c)) {
                out.append(String.format("\\u%04x", (int) c));
            } else {
                out.append(c);
            }
        }
        return out.toString();
    }

    private static String optional(Optional<?> value) {
        return value == null || value.isEmpty() ? "null" : quote(value.get().toString());
    }

    private static String optional(OptionalLong value) {
        return value == null || value.isEmpty() ? "null" : Long.toString(value.getAsLong());
    }

    private static Map<String, int[]> members(byte[] b, int from, int to) throws MalformedJsonException {
        Map<String, int[]> m = new HashMap<>();
        JsonScanner.scanObject(b, from, to, (ks, ke, vs, ve) ->
                m.put(new String(b, ks, ke - ks, StandardCharsets.UTF_8), new int[]{vs, ve}));
        return m;
    }

    private static int[] required(Map<String, int[]> m, String key) {
        int[] range = m.get(key);
        if (range == null) {
            throw new IllegalArgumentException("missing \"" + key + "\"");
        }
        return range;
    }

    private static boolean isNull(byte[] b, Map<String, int[]> m, String key) {
        int[] r = required(m, key);
        return JsonScanner.equalsAscii(b, r[0], r[1], "null");
    }

    private static String string(byte[] b, Map<String, int[]> m, String key) {
        if (isNull(b, m, key)) {
            return null;
        }
        int[] r = required(m, key);
        if (b[r[0]] != '"') {
            throw new IllegalArgumentException("\"" + key + "\" must be a string");
        }
        return JsonScanner.decodeString(b, r[0], r[1]);
    }

    private static String requiredString(byte[] b, Map<String, int[]> m, String key) {
        String value = string(b, m, key);
        if (value == null) {
            throw new IllegalArgumentException("\"" + key + "\" must not be null");
        }
        return value;
    }

    private static long number(byte[] b, Map<String, int[]> m, String key) {
        int[] r = required(m, key);
        return Long.parseLong(ascii(b, r[0], r[1]));
    }

    private static boolean bool(byte[] b, Map<String, int[]> m, String key) {
        int[] r = required(m, key);
        if (JsonScanner.equalsAscii(b, r[0], r[1], "true")) {
            return true;
        }
        if (JsonScanner.equalsAscii(b, r[0], r[1], "false")) {
            return false;
        }
        throw new IllegalArgumentException("\"" + key + "\" must be true or false");
    }

    private static String ascii(byte[] b, int from, int to) {
        return new String(b, from, to - from, StandardCharsets.US_ASCII);
    }
}
