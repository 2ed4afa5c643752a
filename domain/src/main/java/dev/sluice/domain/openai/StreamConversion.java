package dev.sluice.domain.openai;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Converts between the two answer shapes for backends that support only one of them:
 * a non-streamed completion replayed as a correct SSE stream, and an SSE stream aggregated into
 * one completion. Covers chat completions (role, content, finish_reason) and text completions
 * (text, finish_reason), with usage. Values are copied as raw JSON where possible.
 */
public final class StreamConversion {
    private StreamConversion() {
    }

    /**
     * Replays a complete non-streamed answer as Server-Sent Events: one chunk per choice with its
     * content, one with its finish_reason, the usage chunk when asked for, then {@code [DONE]}.
     * Returns empty when the answer is not a completion object.
     */
    public static Optional<byte[]> replayAsStream(byte[] json, Endpoint endpoint, boolean includeUsage) {
        Raw raw = new Raw();
        try {
            JsonScanner.scanObject(json, 0, json.length, (ks, ke, vs, ve) -> {
                if (JsonScanner.equalsAscii(json, ks, ke, "id")) {
                    raw.id = slice(json, vs, ve);
                } else if (JsonScanner.equalsAscii(json, ks, ke, "created")) {
                    raw.created = slice(json, vs, ve);
                } else if (JsonScanner.equalsAscii(json, ks, ke, "model")) {
                    raw.model = slice(json, vs, ve);
                } else if (JsonScanner.equalsAscii(json, ks, ke, "system_fingerprint")) {
                    raw.fingerprint = slice(json, vs, ve);
                } else if (JsonScanner.equalsAscii(json, ks, ke, "usage") && json[vs] == '{') {
                    raw.usage = slice(json, vs, ve);
                } else if (JsonScanner.equalsAscii(json, ks, ke, "choices") && json[vs] == '[') {
                    JsonScanner.scanArray(json, vs, ve, (es, ee) -> raw.choices.add(choice(json, es, ee)));
                }
            });
        } catch (MalformedJsonException e) {
            return Optional.empty();
        }
        boolean chat = endpoint == Endpoint.CHAT_COMPLETIONS;
        String object = chat ? "chat.completion.chunk" : "text_completion";
        String head = "{\"id\":" + orDefault(raw.id, "\"\"") + ",\"object\":\"" + object + "\",\"created\":"
                + orDefault(raw.created, "0") + ",\"model\":" + orDefault(raw.model, "\"\"")
                + (raw.fingerprint != null ? ",\"system_fingerprint\":" + raw.fingerprint : "");
        ByteArrayOutputStream out = new ByteArrayOutputStream(json.length + 512);
        for (Choice c : raw.choices) {
            String index = orDefault(c.index, "0");
            if (chat) {
                String delta = "{\"role\":\"assistant\",\"content\":" + orDefault(c.content, "\"\"")
                        + (c.toolCalls != null ? ",\"tool_calls\":" + c.toolCalls : "") + "}";
                event(out, head + ",\"choices\":[{\"index\":" + index + ",\"delta\":" + delta + ",\"finish_reason\":null}]}");
                event(out, head + ",\"choices\":[{\"index\":" + index + ",\"delta\":{},\"finish_reason\":"
                        + orDefault(c.finishReason, "\"stop\"") + "}]}");
            } else {
                event(out, head + ",\"choices\":[{\"index\":" + index + ",\"text\":" + orDefault(c.text, "\"\"")
                        + ",\"logprobs\":null,\"finish_reason\":" + orDefault(c.finishReason, "\"stop\"") + "}]}");
            }
        }
        if (includeUsage && raw.usage != null) {
            event(out, head + ",\"choices\":[],\"usage\":" + raw.usage + "}");
        }
        out.writeBytes("data: [DONE]\n\n".getBytes(StandardCharsets.US_ASCII));
        return Optional.of(out.toByteArray());
    }

    /** Gathers a streamed answer, event by event, into the equivalent non-streamed completion. */
    public static final class Aggregator {
        private final Endpoint endpoint;
        private final SseUsageFilter events = new SseUsageFilter(true);
        private final TreeMap<Integer, StringBuilder> content = new TreeMap<>();
        private final TreeMap<Integer, String> finishReasons = new TreeMap<>();
        private String id;
        private String created;
        private String model;
        private String usage;

        public Aggregator(Endpoint endpoint) {
            this.endpoint = endpoint;
        }

        public void feed(byte[] chunk) {
            byte[] whole = events.feed(chunk);
            consume(whole);
        }

        /** The aggregated completion JSON. */
        public byte[] finish() {
            consume(events.finish());
            boolean chat = endpoint == Endpoint.CHAT_COMPLETIONS;
            StringBuilder json = new StringBuilder(256);
            json.append("{\"id\":").append(orDefault(id, "\"\""))
                    .append(",\"object\":\"").append(chat ? "chat.completion" : "text_completion").append('"')
                    .append(",\"created\":").append(orDefault(created, "0"))
                    .append(",\"model\":").append(orDefault(model, "\"\""))
                    .append(",\"choices\":[");
            if (content.isEmpty() && finishReasons.isEmpty()) {
                content.put(0, new StringBuilder());
            }
            TreeMap<Integer, Boolean> indexes = new TreeMap<>();
            content.keySet().forEach(i -> indexes.put(i, true));
            finishReasons.keySet().forEach(i -> indexes.put(i, true));
            boolean first = true;
            for (Integer index : indexes.keySet()) {
                if (!first) {
                    json.append(',');
                }
                first = false;
                String text = JsonScanner.quote(content.getOrDefault(index, new StringBuilder()).toString());
                json.append("{\"index\":").append(index);
                if (chat) {
                    json.append(",\"message\":{\"role\":\"assistant\",\"content\":").append(text).append('}');
                } else {
                    json.append(",\"text\":").append(text).append(",\"logprobs\":null");
                }
                json.append(",\"finish_reason\":").append(finishReasons.getOrDefault(index, "\"stop\"")).append('}');
            }
            json.append(']');
            if (usage != null) {
                json.append(",\"usage\":").append(usage);
            }
            json.append('}');
            return json.toString().getBytes(StandardCharsets.UTF_8);
        }

        public Optional<Usage> usage() {
            return events.usage();
        }

        private void consume(byte[] whole) {
            if (whole.length == 0) {
                return;
            }
            int start = 0;
            for (int i = 0; i < whole.length; i++) {
                if (whole[i] == '\n') {
                    line(whole, start, i);
                    start = i + 1;
                }
            }
            if (start < whole.length) {
                line(whole, start, whole.length);
            }
        }

        private void line(byte[] d, int start, int end) {
            if (end > start && d[end - 1] == '\r') {
                end--;
            }
            if (end - start <= 5 || !JsonScanner.equalsAscii(d, start, start + 5, "data:")) {
                return;
            }
            int p = start + 5;
            if (p < end && d[p] == ' ') {
                p++;
            }
            if (p >= end || d[p] != '{') {
                return;
            }
            int from = p;
            int to = end;
            try {
                JsonScanner.scanObject(d, from, to, (ks, ke, vs, ve) -> {
                    if (JsonScanner.equalsAscii(d, ks, ke, "id") && id == null) {
                        id = slice(d, vs, ve);
                    } else if (JsonScanner.equalsAscii(d, ks, ke, "created") && created == null) {
                        created = slice(d, vs, ve);
                    } else if (JsonScanner.equalsAscii(d, ks, ke, "model") && model == null) {
                        model = slice(d, vs, ve);
                    } else if (JsonScanner.equalsAscii(d, ks, ke, "usage") && d[vs] == '{') {
                        usage = slice(d, vs, ve);
                    } else if (JsonScanner.equalsAscii(d, ks, ke, "choices") && d[vs] == '[') {
                        JsonScanner.scanArray(d, vs, ve, (es, ee) -> {
                            Choice c = choice(d, es, ee);
                            int index = c.index == null ? 0 : Integer.parseInt(c.index.trim());
                            StringBuilder text = content.computeIfAbsent(index, k -> new StringBuilder());
                            String piece = c.content != null ? c.content : c.text;
                            if (piece != null && piece.startsWith("\"")) {
                                byte[] pb = piece.getBytes(StandardCharsets.UTF_8);
                                text.append(JsonScanner.decodeString(pb, 0, pb.length));
                            }
                            if (c.finishReason != null && !c.finishReason.equals("null")) {
                                finishReasons.put(index, c.finishReason);
                            }
                        });
                    }
                });
            } catch (MalformedJsonException | NumberFormatException ignored) {
                // a malformed event adds nothing
            }
        }
    }

    private static Choice choice(byte[] json, int start, int end) throws MalformedJsonException {
        Choice c = new Choice();
        if (json[start] != '{') {
            return c;
        }
        JsonScanner.scanObject(json, start, end, (ks, ke, vs, ve) -> {
            if (JsonScanner.equalsAscii(json, ks, ke, "index")) {
                c.index = slice(json, vs, ve);
            } else if (JsonScanner.equalsAscii(json, ks, ke, "finish_reason")) {
                c.finishReason = slice(json, vs, ve);
            } else if (JsonScanner.equalsAscii(json, ks, ke, "text")) {
                c.text = slice(json, vs, ve);
            } else if ((JsonScanner.equalsAscii(json, ks, ke, "message") || JsonScanner.equalsAscii(json, ks, ke, "delta"))
                    && json[vs] == '{') {
                JsonScanner.scanObject(json, vs, ve, (mks, mke, mvs, mve) -> {
                    if (JsonScanner.equalsAscii(json, mks, mke, "content") && json[mvs] == '"') {
                        c.content = slice(json, mvs, mve);
                    } else if (JsonScanner.equalsAscii(json, mks, mke, "tool_calls") && json[mvs] == '[') {
                        c.toolCalls = slice(json, mvs, mve);
                    }
                });
            }
        });
        return c;
    }

    private static void event(ByteArrayOutputStream out, String json) {
        out.writeBytes(("data: " + json + "\n\n").getBytes(StandardCharsets.UTF_8));
    }

    private static String slice(byte[] b, int start, int end) {
        return new String(b, start, end - start, StandardCharsets.UTF_8);
    }

    private static String orDefault(String value, String fallback) {
        return value == null ? fallback : value;
    }

    private static final class Raw {
        String id;
        String created;
        String model;
        String fingerprint;
        String usage;
        final java.util.List<Choice> choices = new java.util.ArrayList<>();
    }

    private static final class Choice {
        String index;
        String content;
        String text;
        String toolCalls;
        String finishReason;
    }
}
