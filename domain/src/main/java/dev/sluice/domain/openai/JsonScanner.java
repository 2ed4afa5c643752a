package dev.sluice.domain.openai;

import java.nio.charset.StandardCharsets;

/**
 * A validating, allocation-free scanner over JSON bytes. It does not build a tree: it checks
 * that a value is well formed and reports the byte ranges of an object's members, so that a
 * request can be spliced (one value replaced) instead of re-serialised.
 */
public final class JsonScanner {
    private static final int MAX_DEPTH = 512;

    /** Receives each member of an object: the key's content range (without quotes) and the value's range. */
    @FunctionalInterface
    public interface MemberVisitor {
        void member(int keyStart, int keyEnd, int valueStart, int valueEnd) throws MalformedJsonException;
    }

    private final byte[] b;
    private final int end;
    private int pos;

    private JsonScanner(byte[] bytes, int from, int to) {
        this.b = bytes;
        this.pos = from;
        this.end = to;
    }

    /**
     * Validates that {@code bytes[from, to)} holds exactly one JSON object (surrounded by optional
     * whitespace) and visits its top-level members. Returns the index of the object's closing brace.
     */
    public static int scanObject(byte[] bytes, int from, int to, MemberVisitor visitor) throws MalformedJsonException {
        JsonScanner s = new JsonScanner(bytes, from, to);
        s.skipWhitespace();
        if (s.pos >= s.end || bytes[s.pos] != '{') {
            throw new MalformedJsonException("expected a JSON object");
        }
        int close = s.object(visitor, 1);
        s.skipWhitespace();
        if (s.pos != s.end) {
            throw new MalformedJsonException("unexpected data after the JSON object at byte " + s.pos);
        }
        return close;
    }

    /** Receives each element of an array: the element value's range. */
    @FunctionalInterface
    public interface ElementVisitor {
        void element(int valueStart, int valueEnd) throws MalformedJsonException;
    }

    /** Validates that {@code bytes[from, to)} holds one JSON array and visits its elements. */
    public static void scanArray(byte[] bytes, int from, int to, ElementVisitor visitor) throws MalformedJsonException {
        JsonScanner s = new JsonScanner(bytes, from, to);
        s.skipWhitespace();
        if (s.pos >= s.end || bytes[s.pos] != '[') {
            throw new MalformedJsonException("expected a JSON array");
        }
        s.pos++;
        s.skipWhitespace();
        if (s.pos < s.end && bytes[s.pos] == ']') {
            return;
        }
        while (true) {
            s.skipWhitespace();
            int start = s.pos;
            s.value(1);
            visitor.element(start, s.pos);
            s.skipWhitespace();
            if (s.pos >= s.end) {
                throw new MalformedJsonException("unexpected end of JSON inside an array");
            }
            if (bytes[s.pos] == ',') {
                s.pos++;
                continue;
            }
            if (bytes[s.pos] == ']') {
                return;
            }
            throw new MalformedJsonException("expected ',' or ']' at byte " + s.pos);
        }
    }

    /** Validates the single value starting at {@code from} (after whitespace) and returns the index just past it. */
    public static int skipValue(byte[] bytes, int from, int to) throws MalformedJsonException {
        JsonScanner s = new JsonScanner(bytes, from, to);
        s.skipWhitespace();
        s.value(1);
        return s.pos;
    }

    /** True when {@code bytes[start, end)} equals the ASCII text {@code key}. */
    public static boolean equalsAscii(byte[] bytes, int start, int end, String key) {
        if (end - start != key.length()) {
            return false;
        }
        for (int i = 0; i < key.length(); i++) {
            if (bytes[start + i] != key.charAt(i)) {
                return false;
            }
        }
        return true;
    }

    /** Decodes a JSON string value whose range includes the quotes. */
    public static String decodeString(byte[] bytes, int valueStart, int valueEnd) {
        int start = valueStart + 1;
        int stop = valueEnd - 1;
        boolean escaped = false;
        for (int i = start; i < stop; i++) {
            if (bytes[i] == '\\') {
                escaped = true;
                break;
            }
        }
        if (!escaped) {
            return new String(bytes, start, stop - start, StandardCharsets.UTF_8);
        }
        StringBuilder out = new StringBuilder(stop - start);
        int i = start;
        int runStart = start;
        while (i < stop) {
            if (bytes[i] != '\\') {
                i++;
                continue;
            }
            out.append(new String(bytes, runStart, i - runStart, StandardCharsets.UTF_8));
            byte e = bytes[i + 1];
            switch (e) {
                case 'n' -> out.append('\n');
                case 't' -> out.append('\t');
                case 'r' -> out.append('\r');
                case 'b' -> out.append('\b');
                case 'f' -> out.append('\f');
                case 'u' -> {
                    out.append((char) Integer.parseInt(new String(bytes, i + 2, 4, StandardCharsets.US_ASCII), 16));
                    i += 4;
                }
                default -> out.append((char) e);
            }
            i += 2;
            runStart = i;
        }
        out.append(new String(bytes, runStart, stop - runStart, StandardCharsets.UTF_8));
        return out.toString();
    }

    /** Encodes text as a JSON string literal, quotes included. */
    public static String quote(String text) {
        StringBuilder out = new StringBuilder(text.length() + 2).append('"');
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                default -> {
                    if (c < 0x20) {
                        out.append(String.format("\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        return out.append('"').toString();
    }

    private void value(int depth) throws MalformedJsonException {
        if (pos >= end) {
            throw new MalformedJsonException("unexpected end of JSON");
        }
        switch (b[pos]) {
            case '{' -> object(null, depth + 1);
            case '[' -> array(depth + 1);
            case '"' -> string();
            case 't' -> literal("true");
            case 'f' -> literal("false");
            case 'n' -> literal("null");
            default -> number();
        }
    }

    private int object(MemberVisitor visitor, int depth) throws MalformedJsonException {
        checkDepth(depth);
        pos++; // '{'
        skipWhitespace();
        if (pos < end && b[pos] == '}') {
            return pos++;
        }
        while (true) {
            skipWhitespace();
            if (pos >= end || b[pos] != '"') {
                throw new MalformedJsonException("expected a member name at byte " + pos);
            }
            int keyStart = pos + 1;
            string();
            int keyEnd = pos - 1;
            skipWhitespace();
            if (pos >= end || b[pos] != ':') {
                throw new MalformedJsonException("expected ':' at byte " + pos);
            }
            pos++;
            skipWhitespace();
            int valueStart = pos;
            value(depth);
            if (visitor != null) {
                visitor.member(keyStart, keyEnd, valueStart, pos);
            }
            skipWhitespace();
            if (pos >= end) {
                throw new MalformedJsonException("unexpected end of JSON inside an object");
            }
            if (b[pos] == ',') {
                pos++;
                continue;
            }
            if (b[pos] == '}') {
                return pos++;
            }
            throw new MalformedJsonException("expected ',' or '}' at byte " + pos);
        }
    }

    private void array(int depth) throws MalformedJsonException {
        checkDepth(depth);
        pos++; // '['
        skipWhitespace();
        if (pos < end && b[pos] == ']') {
            pos++;
            return;
        }
        while (true) {
            skipWhitespace();
            value(depth);
            skipWhitespace();
            if (pos >= end) {
                throw new MalformedJsonException("unexpected end of JSON inside an array");
            }
            if (b[pos] == ',') {
                pos++;
                continue;
            }
            if (b[pos] == ']') {
                pos++;
                return;
            }
            throw new MalformedJsonException("expected ',' or ']' at byte " + pos);
        }
    }

    private void string() throws MalformedJsonException {
        pos++; // opening quote
        while (pos < end) {
            byte c = b[pos];
            if (c == '"') {
                pos++;
                return;
            }
            if (c == '\\') {
                if (pos + 1 >= end) {
                    break;
                }
                byte e = b[pos + 1];
                if (e == 'u') {
                    if (pos + 5 >= end) {
                        break;
                    }
                    for (int i = pos + 2; i < pos + 6; i++) {
                        if (Character.digit(b[i], 16) < 0) {
                            throw new MalformedJsonException("bad \\u escape at byte " + pos);
                        }
                    }
                    pos += 6;
                    continue;
                }
                if ("\"\\/bfnrt".indexOf(e) < 0) {
                    throw new MalformedJsonException("bad escape at byte " + pos);
                }
                pos += 2;
                continue;
            }
            if ((c & 0xff) < 0x20) {
                throw new MalformedJsonException("control character in a string at byte " + pos);
            }
            pos++;
        }
        throw new MalformedJsonException("unterminated string");
    }

    private void number() throws MalformedJsonException {
        int start = pos;
        if (pos < end && b[pos] == '-') {
            pos++;
        }
        int intDigits = digits();
        if (intDigits == 0) {
            throw new MalformedJsonException("unexpected character at byte " + start);
        }
        if (intDigits > 1 && b[pos - intDigits] == '0') {
            throw new MalformedJsonException("leading zero in a number at byte " + start);
        }
        if (pos < end && b[pos] == '.') {
            pos++;
            if (digits() == 0) {
                throw new MalformedJsonException("bad number at byte " + start);
            }
        }
        if (pos < end && (b[pos] == 'e' || b[pos] == 'E')) {
            pos++;
            if (pos < end && (b[pos] == '+' || b[pos] == '-')) {
                pos++;
            }
            if (digits() == 0) {
                throw new MalformedJsonException("bad number at byte " + start);
            }
        }
    }

    private int digits() {
        int n = 0;
        while (pos < end && b[pos] >= '0' && b[pos] <= '9') {
            pos++;
            n++;
        }
        return n;
    }

    private void literal(String word) throws MalformedJsonException {
        if (pos + word.length() > end || !equalsAscii(b, pos, pos + word.length(), word)) {
            throw new MalformedJsonException("unexpected character at byte " + pos);
        }
        pos += word.length();
    }

    private void skipWhitespace() {
        while (pos < end) {
            byte c = b[pos];
            if (c != ' ' && c != '\n' && c != '\r' && c != '\t') {
                return;
            }
            pos++;
        }
    }

    private static void checkDepth(int depth) throws MalformedJsonException {
        if (depth > MAX_DEPTH) {
            throw new MalformedJsonException("JSON nested too deeply");
        }
    }
}
