package dev.sluice.domain.openai;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.function.ToIntFunction;

/**
 * Counts a stream's output tokens as whole events pass through and, when the stream goes past the
 * cap (a backend that ignored the {@code max_tokens} the gateway sent), ends it cleanly: the event that reached the cap is forwarded, followed by a chunk with
 * {@code finish_reason: "length"}, the usage chunk (when the client asked for usage) and
 * {@code [DONE]}; the caller then cancels the backend request. For backends that do not honour
 * {@code max_tokens} themselves.
 */
public final class SseOutputCap {
    private final long cap;
    private final ToIntFunction<String> tokens;
    private final boolean includeUsage;
    private final long promptTokens;
    private final boolean chat;
    private long counted;
    private boolean cut;
    private String id = "\"\"";
    private String created = "0";
    private String model = "\"\"";

    /**
     * @param cap           output tokens allowed
     * @param tokens        counts the tokens of a piece of output text
     * @param includeUsage  whether the client asked for the usage chunk
     * @param promptTokens  the prompt's token count, for the usage chunk of a cut stream
     */
    public SseOutputCap(long cap, ToIntFunction<String> tokens, boolean includeUsage, long promptTokens, Endpoint endpoint) {
        this.cap = cap;
        this.tokens = tokens;
        this.includeUsage = includeUsage;
        this.promptTokens = promptTokens;
        this.chat = endpoint == Endpoint.CHAT_COMPLETIONS;
    }

    /** Takes whole events; returns what to send (cut short when the cap is reached). */
    public byte[] pass(byte[] events) {
        if (cut || events.length == 0) {
            return cut ? new byte[0] : events;
        }
        int start = 0;
        for (int i = 0; i < events.length; i++) {
            int end = SseEvents.boundaryEnd(events, i);
            if (end < 0) {
                continue;
            }
            count(events, start, end);
            if (counted > cap) {
                cut = true;
                ByteArrayOutputStream out = new ByteArrayOutputStream(end + 512);
                out.write(events, 0, end);
                out.writeBytes(ending());
                return out.toByteArray();
            }
            start = end;
            i = end - 1;
        }
        return events;
    }

    public boolean cut() {
        return cut;
    }

    public long counted() {
        return counted;
    }

    /** The usage of a cut stream: the prompt as counted, the output as counted. */
    public Usage usage() {
        long total = promptTokens + counted;
        return new Usage((int) Math.min(promptTokens, Integer.MAX_VALUE), (int) Math.min(counted, Integer.MAX_VALUE),
                (int) Math.min(total, Integer.MAX_VALUE));
    }

    private byte[] ending() {
        String head = "{\"id\":" + id + ",\"object\":\"" + (chat ? "chat.completion.chunk" : "text_completion")
                + "\",\"created\":" + created + ",\"model\":" + model;
        StringBuilder out = new StringBuilder(256);
        if (chat) {
            out.append("data: ").append(head).append(",\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"length\"}]}\n\n");
        } else {
            out.append("data: ").append(head).append(",\"choices\":[{\"index\":0,\"text\":\"\",\"logprobs\":null,\"finish_reason\":\"length\"}]}\n\n");
        }
        if (includeUsage) {
            Usage u = usage();
            out.append("data: ").append(head).append(",\"choices\":[],\"usage\":{\"prompt_tokens\":").append(u.promptTokens())
                    .append(",\"completion_tokens\":").append(u.completionTokens())
                    .append(",\"total_tokens\":").append(u.totalTokens()).append("}}\n\n");
        }
        out.append("data: [DONE]\n\n");
        return out.toString().getBytes(StandardCharsets.UTF_8);
    }

    private void count(byte[] d, int start, int end) {
        SseEvents.forEachJsonData(d, start, end, (from, to) -> {
            countJson(d, from, to);
            return false;
        });
    }

    private void countJson(byte[] d, int start, int end) {
        try {
            JsonScanner.scanObject(d, start, end, (ks, ke, vs, ve) -> {
                if (JsonScanner.equalsAscii(d, ks, ke, "id")) {
                    id = new String(d, vs, ve - vs, StandardCharsets.UTF_8);
                } else if (JsonScanner.equalsAscii(d, ks, ke, "created")) {
                    created = new String(d, vs, ve - vs, StandardCharsets.UTF_8);
                } else if (JsonScanner.equalsAscii(d, ks, ke, "model")) {
                    model = new String(d, vs, ve - vs, StandardCharsets.UTF_8);
                } else if (JsonScanner.equalsAscii(d, ks, ke, "choices") && d[vs] == '[') {
                    SseEvents.forEachOutputText(d, vs, ve, piece -> counted += tokens.applyAsInt(piece));
                }
            });
        } catch (MalformedJsonException ignored) {
            // an event that is not JSON carries no output to count
        }
    }
}
