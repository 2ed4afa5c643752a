package dev.sluice.domain.openai;

import java.util.Optional;

/** Reads an OpenAI {@code usage} object: prompt, completion and total tokens. */
public final class UsageParser {
    private UsageParser() {
    }

    /** Parses the usage object in {@code bytes[start, end)}; empty when it is not an object with token counts. */
    public static Optional<Usage> parseObject(byte[] bytes, int start, int end) {
        if (start >= end || bytes[start] != '{') {
            return Optional.empty();
        }
        long[] counts = {-1, -1, -1};
        try {
            JsonScanner.scanObject(bytes, start, end, (ks, ke, vs, ve) -> {
                if (JsonScanner.equalsAscii(bytes, ks, ke, "prompt_tokens")) {
                    counts[0] = integer(bytes, vs, ve);
                } else if (JsonScanner.equalsAscii(bytes, ks, ke, "completion_tokens")) {
                    counts[1] = integer(bytes, vs, ve);
                } else if (JsonScanner.equalsAscii(bytes, ks, ke, "total_tokens")) {
                    counts[2] = integer(bytes, vs, ve);
                }
            });
        } catch (MalformedJsonException e) {
            return Optional.empty();
        }
        long prompt = counts[0];
        long completion = counts[1];
        long total = counts[2];
        if (prompt < 0 && total < 0) {
            return Optional.empty();
        }
        // Embeddings report no completion tokens; a missing total is the sum of the parts.
        prompt = Math.max(prompt, 0);
        completion = Math.max(completion, 0);
        if (total < 0) {
            total = Math.min(prompt + completion, Integer.MAX_VALUE);
        }
        return Optional.of(new Usage((int) prompt, (int) completion, (int) total));
    }

    /**
     * Finds the last top-level-looking {@code "usage": {...}} member in a JSON document's bytes
     * (OpenAI-compatible servers write it last) and parses it.
     */
    public static Optional<Usage> findInTail(byte[] bytes, int length) {
        byte[] key = {'"', 'u', 's', 'a', 'g', 'e', '"'};
        for (int i = length - key.length; i >= 0; i--) {
            if (!matches(bytes, i, key)) {
                continue;
            }
            int p = i + key.length;
            while (p < length && isSpace(bytes[p])) {
                p++;
            }
            if (p >= length || bytes[p] != ':') {
                continue;
            }
            p++;
            while (p < length && isSpace(bytes[p])) {
                p++;
            }
            if (p >= length || bytes[p] != '{') {
                continue;
            }
            try {
                int valueEnd = JsonScanner.skipValue(bytes, p, length);
                return parseObject(bytes, p, valueEnd);
            } catch (MalformedJsonException e) {
                return Optional.empty();
            }
        }
        return Optional.empty();
    }

    private static boolean matches(byte[] bytes, int at, byte[] key) {
        for (int j = 0; j < key.length; j++) {
            if (bytes[at + j] != key[j]) {
                return false;
            }
        }
        return true;
    }

    private static boolean isSpace(byte c) {
        return c == ' ' || c == '\n' || c == '\r' || c == '\t';
    }

    private static long integer(byte[] bytes, int start, int end) {
        long v = 0;
        for (int i = start; i < end; i++) {
            byte c = bytes[i];
            if (c < '0' || c > '9') {
                return -1;
            }
            v = v * 10 + (c - '0');
            if (v > Integer.MAX_VALUE) {
                return -1;
            }
        }
        return start == end ? -1 : v;
    }
}
