package dev.sluice.domain.openai;

/** Reading Server-Sent Events in place: event boundaries and the JSON of their {@code data:} lines. */
final class SseEvents {
    private SseEvents() {
    }

    /** Receives the range of a {@code data:} line's JSON object. */
    @FunctionalInterface
    interface JsonData {
        /** Returns true to stop reading the event's further lines. */
        boolean json(int start, int end);
    }

    /**
     * Calls {@code text} with each piece of output in a chunk's {@code choices} array
     * ({@code d[start, end)}): chat {@code delta.content} and completion {@code text}.
     */
    static void forEachOutputText(byte[] d, int start, int end, java.util.function.Consumer<String> text)
            throws MalformedJsonException {
        JsonScanner.scanArray(d, start, end, (es, ee) -> {
            if (d[es] != '{') {
                return;
            }
            JsonScanner.scanObject(d, es, ee, (cks, cke, cvs, cve) -> {
                if (JsonScanner.equalsAscii(d, cks, cke, "text") && d[cvs] == '"') {
                    text.accept(JsonScanner.decodeString(d, cvs, cve));
                } else if (JsonScanner.equalsAscii(d, cks, cke, "delta") && d[cvs] == '{') {
                    JsonScanner.scanObject(d, cvs, cve, (dks, dke, dvs, dve) -> {
                        if (JsonScanner.equalsAscii(d, dks, dke, "content") && d[dvs] == '"') {
                            text.accept(JsonScanner.decodeString(d, dvs, dve));
                        }
                    });
                }
            });
        });
    }

    /** The index just past an event's terminating blank line starting at {@code i}, or -1. */
    static int boundaryEnd(byte[] d, int i) {
        if (d[i] != '\n') {
            return -1;
        }
        if (i + 1 < d.length && d[i + 1] == '\n') {
            return i + 2;
        }
        if (i + 2 < d.length && d[i + 1] == '\r' && d[i + 2] == '\n') {
            return i + 3;
        }
        return -1;
    }

    /** Calls {@code data} for each {@code data: {...}} line of the event in {@code d[start, end)}; returns what stopped it. */
    static boolean forEachJsonData(byte[] d, int start, int end, JsonData data) {
        int line = start;
        while (line < end) {
            int lineEnd = line;
            while (lineEnd < end && d[lineEnd] != '\n') {
                lineEnd++;
            }
            int contentEnd = lineEnd > line && d[lineEnd - 1] == '\r' ? lineEnd - 1 : lineEnd;
            if (contentEnd - line > 5 && JsonScanner.equalsAscii(d, line, line + 5, "data:")) {
                int p = line + 5;
                if (p < contentEnd && d[p] == ' ') {
                    p++;
                }
                if (p < contentEnd && d[p] == '{' && data.json(p, contentEnd)) {
                    return true;
                }
            }
            line = lineEnd + 1;
        }
        return false;
    }
}
