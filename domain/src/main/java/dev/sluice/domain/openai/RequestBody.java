package dev.sluice.domain.openai;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.OptionalLong;

/**
 * A client's request body, validated and scanned once. It keeps the original bytes and the
 * positions of the few members the gateway acts on, so the upstream body is the original with
 * those values spliced in: unknown fields, order and formatting pass through untouched.
 */
public final class RequestBody {
    private static final byte[] INCLUDE_USAGE_MEMBER = "\"include_usage\":true".getBytes(StandardCharsets.US_ASCII);

    private final byte[] bytes;
    private final int closingBrace;
    private String model;
    private int modelStart = -1;
    private int modelEnd = -1;
    private boolean stream;
    private int streamValueStart = -1;
    private int streamValueEnd = -1;
    private int streamOptionsKeyStart = -1;
    private int streamOptionsStart = -1;
    private int streamOptionsEnd = -1;
    private int includeUsageStart = -1;
    private int includeUsageEnd = -1;
    private boolean includeUsage;
    private long maxTokens = -1;
    private int maxTokensStart = -1;
    private int maxTokensEnd = -1;

    private RequestBody(byte[] bytes, int closingBrace) {
        this.bytes = bytes;
        this.closingBrace = closingBrace;
    }

    /** The outcome of reading a body: either a usable request or the client error to answer with. */
    public sealed interface Parsed permits Valid, Invalid {
    }

    public record Valid(RequestBody body) implements Parsed {
    }

    public record Invalid(OpenAiError error) implements Parsed {
    }

    public static Parsed parse(byte[] bytes) {
        if (bytes.length == 0) {
            return new Invalid(OpenAiError.invalidJson("the body is empty"));
        }
        try {
            int[] spans = new int[9];
            java.util.Arrays.fill(spans, -1);
            boolean[] flags = new boolean[1];
            int close = JsonScanner.scanObject(bytes, 0, bytes.length, (ks, ke, vs, ve) -> {
                if (JsonScanner.equalsAscii(bytes, ks, ke, "model")) {
                    spans[0] = vs;
                    spans[1] = ve;
                } else if (JsonScanner.equalsAscii(bytes, ks, ke, "stream")) {
                    flags[0] = JsonScanner.equalsAscii(bytes, vs, ve, "true");
                    spans[6] = vs;
                    spans[7] = ve;
                } else if (JsonScanner.equalsAscii(bytes, ks, ke, "stream_options")) {
                    spans[2] = vs;
                    spans[3] = ve;
                    spans[8] = ks - 1;
                } else if (JsonScanner.equalsAscii(bytes, ks, ke, "max_tokens")
                        || JsonScanner.equalsAscii(bytes, ks, ke, "max_completion_tokens")) {
                    spans[4] = vs;
                    spans[5] = ve;
                }
            });
            RequestBody body = new RequestBody(bytes, close);
            if (spans[0] < 0) {
                return new Invalid(OpenAiError.invalidRequest("you must provide a model parameter", "model"));
            }
            if (bytes[spans[0]] != '"') {
                return new Invalid(OpenAiError.invalidRequest("'model' must be a string", "model"));
            }
            body.modelStart = spans[0];
            body.modelEnd = spans[1];
            body.model = JsonScanner.decodeString(bytes, spans[0], spans[1]);
            if (body.model.isBlank()) {
                return new Invalid(OpenAiError.invalidRequest("you must provide a model parameter", "model"));
            }
            body.stream = flags[0];
            body.streamValueStart = spans[6];
            body.streamValueEnd = spans[7];
            body.streamOptionsKeyStart = spans[8];
            if (spans[2] >= 0) {
                body.streamOptionsStart = spans[2];
                body.streamOptionsEnd = spans[3];
            }
            if (spans[2] >= 0 && bytes[spans[2]] == '{') {
                JsonScanner.scanObject(bytes, spans[2], spans[3], (ks, ke, vs, ve) -> {
                    if (JsonScanner.equalsAscii(bytes, ks, ke, "include_usage")) {
                        body.includeUsageStart = vs;
                        body.includeUsageEnd = ve;
                        body.includeUsage = JsonScanner.equalsAscii(bytes, vs, ve, "true");
                    }
                });
            }
            if (spans[4] >= 0) {
                body.maxTokensStart = spans[4];
                body.maxTokensEnd = spans[5];
                body.maxTokens = parseNonNegative(bytes, spans[4], spans[5]);
            }
            return new Valid(body);
        } catch (MalformedJsonException e) {
            return new Invalid(OpenAiError.invalidJson(e.getMessage()));
        }
    }

    public String model() {
        return model;
    }

    public boolean stream() {
        return stream;
    }

    /** Whether the client itself asked for the final usage chunk of a stream. */
    public boolean clientWantsStreamUsage() {
        return includeUsage;
    }

    public OptionalLong maxTokens() {
        return maxTokens < 0 ? OptionalLong.empty() : OptionalLong.of(maxTokens);
    }

    public int size() {
        return bytes.length;
    }

    /** The original bytes, for readers in this package (prompt extraction). */
    byte[] bytes() {
        return bytes;
    }

    /** How the body sent to a backend asks for the answer. */
    public enum UpstreamShape {
        /** as the client asked; a stream also asks for the usage chunk */
        AS_REQUESTED,
        /** streamed with usage, whatever the client asked (the backend only streams) */
        STREAM,
        /** not streamed, whatever the client asked (the backend cannot stream) */
        NON_STREAM
    }

    /**
     * The body to send a backend: {@code model} replaced by the backend's name for it and, for a
     * stream, {@code stream_options.include_usage} set so the gateway always learns the real usage.
     */
    public byte[] forUpstream(String upstreamModel, boolean requestStreamUsage) {
        return splice(upstreamModel, requestStreamUsage, UpstreamShape.AS_REQUESTED);
    }

    /**
     * The body to send a backend in the given shape, with the output capped at {@code outputCap}
     * tokens: a larger (or absent) {@code max_tokens} / {@code max_completion_tokens} becomes the cap.
     */
    public byte[] forUpstream(String upstreamModel, UpstreamShape shape, boolean requestStreamUsage, long outputCap) {
        return splice(upstreamModel, requestStreamUsage, shape, outputCap);
    }

    private byte[] splice(String upstreamModel, boolean requestStreamUsage, UpstreamShape shape) {
        return splice(upstreamModel, requestStreamUsage, shape, -1);
    }

    private byte[] splice(String upstreamModel, boolean requestStreamUsage, UpstreamShape shape, long outputCap) {
        List<Edit> edits = new ArrayList<>(3);
        if (outputCap >= 0 && (maxTokens < 0 || maxTokens > outputCap)) {
            byte[] cap = Long.toString(outputCap).getBytes(StandardCharsets.US_ASCII);
            if (maxTokensStart >= 0) {
                edits.add(new Edit(maxTokensStart, maxTokensEnd, cap));
            } else {
                edits.add(new Edit(closingBrace, closingBrace, (",\"max_tokens\":" + outputCap).getBytes(StandardCharsets.US_ASCII)));
            }
        }
        if (!upstreamModel.equals(model)) {
            edits.add(new Edit(modelStart, modelEnd, JsonScanner.quote(upstreamModel).getBytes(StandardCharsets.UTF_8)));
        }
        if (shape == UpstreamShape.NON_STREAM) {
            if (stream) {
                edits.add(new Edit(streamValueStart, streamValueEnd, "false".getBytes(StandardCharsets.US_ASCII)));
            }
            if (streamOptionsKeyStart >= 0) {
                edits.add(removal(streamOptionsKeyStart, streamOptionsEnd));
            }
            return apply(edits);
        }
        if (shape == UpstreamShape.STREAM && !stream) {
            if (streamValueStart >= 0) {
                edits.add(new Edit(streamValueStart, streamValueEnd, "true".getBytes(StandardCharsets.US_ASCII)));
            } else {
                edits.add(new Edit(closingBrace, closingBrace, ",\"stream\":true".getBytes(StandardCharsets.US_ASCII)));
            }
        }
        boolean streamed = stream || shape == UpstreamShape.STREAM;
        if (streamed && requestStreamUsage && !includeUsage) {
            if (includeUsageStart >= 0) {
                edits.add(new Edit(includeUsageStart, includeUsageEnd, "true".getBytes(StandardCharsets.US_ASCII)));
            } else if (streamOptionsStart >= 0 && bytes[streamOptionsStart] != '{') {
                // stream_options: null (or another non-object) is replaced, not followed by a duplicate member
                edits.add(new Edit(streamOptionsStart, streamOptionsEnd,
                        "{\"include_usage\":true}".getBytes(StandardCharsets.US_ASCII)));
            } else if (streamOptionsStart >= 0) {
                boolean empty = isEmptyObject(streamOptionsStart, streamOptionsEnd);
                byte[] insert = empty ? INCLUDE_USAGE_MEMBER : concat(INCLUDE_USAGE_MEMBER, new byte[] {','});
                edits.add(new Edit(streamOptionsStart + 1, streamOptionsStart + 1, insert));
            } else {
                edits.add(new Edit(closingBrace, closingBrace,
                        ",\"stream_options\":{\"include_usage\":true}".getBytes(StandardCharsets.US_ASCII)));
            }
        }
        return apply(edits);
    }

    /** Removes a member and one comma next to it, so the object stays valid. */
    private Edit removal(int memberStart, int memberEnd) {
        int after = memberEnd;
        while (after < closingBrace && isSpace(bytes[after])) {
            after++;
        }
        if (after < closingBrace && bytes[after] == ',') {
            return new Edit(memberStart, after + 1, new byte[0]);
        }
        int before = memberStart - 1;
        while (before > 0 && isSpace(bytes[before])) {
            before--;
        }
        if (bytes[before] == ',') {
            return new Edit(before, memberEnd, new byte[0]);
        }
        return new Edit(memberStart, memberEnd, new byte[0]);
    }

    private static boolean isSpace(byte c) {
        return c == ' ' || c == '\n' || c == '\r' || c == '\t';
    }

    private byte[] apply(List<Edit> edits) {
        if (edits.isEmpty()) {
            return bytes;
        }
        edits.sort(Comparator.comparingInt(Edit::start));
        int size = bytes.length;
        for (Edit e : edits) {
            size += e.replacement.length - (e.end - e.start);
        }
        byte[] out = new byte[size];
        int src = 0;
        int dst = 0;
        for (Edit e : edits) {
            int keep = e.start - src;
            System.arraycopy(bytes, src, out, dst, keep);
            dst += keep;
            System.arraycopy(e.replacement, 0, out, dst, e.replacement.length);
            dst += e.replacement.length;
            src = e.end;
        }
        System.arraycopy(bytes, src, out, dst, bytes.length - src);
        return out;
    }

    private boolean isEmptyObject(int start, int end) {
        for (int i = start + 1; i < end - 1; i++) {
            byte c = bytes[i];
            if (c != ' ' && c != '\n' && c != '\r' && c != '\t') {
                return false;
            }
        }
        return true;
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] out = new byte[a.length + b.length];
        System.arraycopy(a, 0, out, 0, a.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    private static long parseNonNegative(byte[] bytes, int start, int end) {
        long v = 0;
        for (int i = start; i < end; i++) {
            byte c = bytes[i];
            if (c < '0' || c > '9') {
                return -1;
            }
            v = v * 10 + (c - '0');
            if (v > Integer.MAX_VALUE) {
                return Integer.MAX_VALUE;
            }
        }
        return v;
    }


    private record Edit(int start, int end, byte[] replacement) {
    }
}
