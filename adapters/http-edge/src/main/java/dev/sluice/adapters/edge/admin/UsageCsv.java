package dev.sluice.adapters.edge.admin;

import dev.sluice.application.port.UsageReader;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.Writer;

/** Usage rows as RFC 4180 CSV: CRLF line ends, fields with a quote, comma, CR or LF quoted with quotes doubled. */
final class UsageCsv {
    static final String HEADER = "bucket,backend,app,model,requests,errors,prompt_tokens,completion_tokens,total_tokens";
    static final String CRLF = "\r\n";

    private UsageCsv() {
    }

    static void writeHeader(Writer out) {
        write(out, HEADER + CRLF);
    }

    /** One record; a dimension that was grouped out (null) is an empty field. */
    static void writeRow(Writer out, UsageReader.UsageRow row) {
        StringBuilder line = new StringBuilder(128);
        line.append(row.bucket()).append(',')
                .append(field(row.backend())).append(',')
                .append(field(row.app())).append(',')
                .append(field(row.model())).append(',')
                .append(row.requests()).append(',')
                .append(row.errors()).append(',')
                .append(row.promptTokens()).append(',')
                .append(row.completionTokens()).append(',')
                .append(row.totalTokens()).append(CRLF);
        write(out, line.toString());
    }

    /** A field, quoted when it must be. */
    static String field(String value) {
        if (value == null) {
            return "";
        }
        boolean quote = false;
        for (int i = 0; i < value.length() && !quote; i++) {
            char c = value.charAt(i);
            quote = c == '"' || c == ',' || c == '\r' || c == '\n';
        }
        return quote ? '"' + value.replace("\"", "\"\"") + '"' : value;
    }

    private static void write(Writer out, String text) {
        try {
            out.write(text);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
