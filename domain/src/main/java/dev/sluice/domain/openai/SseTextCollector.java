package dev.sluice.domain.openai;

/**
 * Collects the output text of a stream as whole events pass through (chat {@code delta.content}
 * and completion {@code text}), so that its tokens can be estimated when the backend never
 * reports usage (a stream that failed, was cut short, or whose client went away).
 */
public final class SseTextCollector {
    private static final int MAX_CHARS = 4 * 1024 * 1024;

    private final StringBuilder text = new StringBuilder();

    /** Reads whole events (as returned by {@link SseUsageFilter#feed}). */
    public void collect(byte[] events) {
        int start = 0;
        for (int i = 0; i < events.length; i++) {
            int end = SseEvents.boundaryEnd(events, i);
            if (end < 0) {
                continue;
            }
            int from = start;
            SseEvents.forEachJsonData(events, from, end, (s, e) -> {
                read(events, s, e);
                return false;
            });
            start = end;
            i = end - 1;
        }
    }

    public String text() {
        return text.toString();
    }

    private void read(byte[] d, int start, int end) {
        if (text.length() >= MAX_CHARS) {
            return;
        }
        try {
            JsonScanner.scanObject(d, start, end, (ks, ke, vs, ve) -> {
                if (JsonScanner.equalsAscii(d, ks, ke, "choices") && d[vs] == '[') {
                    JsonScanner.scanArray(d, vs, ve, (es, ee) -> {
                        if (d[es] != '{') {
                            return;
                        }
                        JsonScanner.scanObject(d, es, ee, (cks, cke, cvs, cve) -> {
                            if (JsonScanner.equalsAscii(d, cks, cke, "text") && d[cvs] == '"') {
                                text.append(JsonScanner.decodeString(d, cvs, cve));
                            } else if (JsonScanner.equalsAscii(d, cks, cke, "delta") && d[cvs] == '{') {
                                JsonScanner.scanObject(d, cvs, cve, (dks, dke, dvs, dve) -> {
                                    if (JsonScanner.equalsAscii(d, dks, dke, "content") && d[dvs] == '"') {
                                        text.append(JsonScanner.decodeString(d, dvs, dve));
                                    }
                                });
                            }
                        });
                    });
                }
            });
        } catch (MalformedJsonException ignored) {
            // not JSON: no output text in it
        }
    }
}
