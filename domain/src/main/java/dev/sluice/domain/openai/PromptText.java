package dev.sluice.domain.openai;

import java.util.ArrayList;
import java.util.List;

/**
 * The text a request puts in front of the model, for counting prompt tokens: the content of
 * every chat message (plain strings and the text parts of multi-part content), a completion
 * prompt (string or list of strings), or embedding input (string or list of strings).
 */
public record PromptText(List<String> parts, int messages) {
    /** Tokens a chat format adds per message (role and separators), as OpenAI's cookbook counts them. */
    public static final int TOKENS_PER_MESSAGE = 4;

    public PromptText {
        parts = List.copyOf(parts);
    }

    public static PromptText of(RequestBody body) {
        byte[] b = body.bytes();
        List<String> parts = new ArrayList<>();
        int[] messages = {0};
        try {
            JsonScanner.scanObject(b, 0, b.length, (ks, ke, vs, ve) -> {
                if (JsonScanner.equalsAscii(b, ks, ke, "messages") && b[vs] == '[') {
                    JsonScanner.scanArray(b, vs, ve, (ms, me) -> {
                        messages[0]++;
                        if (b[ms] == '{') {
                            JsonScanner.scanObject(b, ms, me, (mks, mke, mvs, mve) -> {
                                if (JsonScanner.equalsAscii(b, mks, mke, "content")) {
                                    texts(b, mvs, mve, parts);
                                } else if (JsonScanner.equalsAscii(b, mks, mke, "name") && b[mvs] == '"') {
                                    parts.add(JsonScanner.decodeString(b, mvs, mve));
                                }
                            });
                        }
                    });
                } else if (JsonScanner.equalsAscii(b, ks, ke, "prompt") || JsonScanner.equalsAscii(b, ks, ke, "input")) {
                    texts(b, vs, ve, parts);
                }
            });
        } catch (MalformedJsonException e) {
            // the body was validated when it was parsed; nothing more to read
        }
        return new PromptText(parts, messages[0]);
    }

    /** A string, a list of strings, or a list of content parts with "text". */
    private static void texts(byte[] b, int vs, int ve, List<String> out) throws MalformedJsonException {
        if (b[vs] == '"') {
            out.add(JsonScanner.decodeString(b, vs, ve));
        } else if (b[vs] == '[') {
            JsonScanner.scanArray(b, vs, ve, (es, ee) -> {
                if (b[es] == '"') {
                    out.add(JsonScanner.decodeString(b, es, ee));
                } else if (b[es] == '{') {
                    JsonScanner.scanObject(b, es, ee, (pks, pke, pvs, pve) -> {
                        if (JsonScanner.equalsAscii(b, pks, pke, "text") && b[pvs] == '"') {
                            out.add(JsonScanner.decodeString(b, pvs, pve));
                        }
                    });
                }
            });
        }
    }

    /** A rough count for when no tokenizer is configured: about four characters a token. */
    public int estimateTokens() {
        long chars = 0;
        for (String p : parts) {
            chars += p.length();
        }
        return (int) Math.min(Integer.MAX_VALUE, (chars + 3) / 4 + (long) messages * TOKENS_PER_MESSAGE);
    }
}
