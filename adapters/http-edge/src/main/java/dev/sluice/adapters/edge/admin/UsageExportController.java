package dev.sluice.adapters.edge.admin;

import dev.sluice.application.port.UsageReader;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.http.HttpHeaders;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.MediaType;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Get;
import io.micronaut.http.annotation.QueryValue;
import io.micronaut.http.server.types.files.StreamedFile;
import io.micronaut.scheduling.TaskExecutors;
import io.micronaut.scheduling.annotation.ExecuteOn;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.BufferedWriter;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStreamWriter;
import java.io.PipedInputStream;
import java.io.PipedOutputStream;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.time.Clock;

/**
 * {@code /admin/api/v1/usage/export.csv} with the parameters of {@code /usage}: the same rows as CSV, streamed. The
 * parameters are checked first (a 400 naming the fields, as for {@code /usage}); then a virtual thread reads the rows
 * through a database cursor and writes CSV into a pipe whose other end is the response body, so memory stays constant
 * whatever the number of rows. A slow client holds the writer back (the pipe is bounded); a client that goes away closes
 * the pipe, which stops the query.
 */
@Controller("/admin/api/v1/usage")
@ExecuteOn(TaskExecutors.BLOCKING)
final class UsageExportController {
    static final MediaType TEXT_CSV = new MediaType("text/csv; charset=utf-8");
    private static final int PIPE_BYTES = 64 * 1024;
    private static final int WRITER_BUFFER_CHARS = 16 * 1024;
    private static final Logger LOG = LoggerFactory.getLogger(UsageExportController.class);

    private final UsageReader usage;
    private final Clock clock;

    UsageExportController(UsageReader usage, Clock clock) {
        this.usage = usage;
        this.clock = clock;
    }

    @Get(value = "/export.csv", produces = "text/csv")
    HttpResponse<StreamedFile> export(@Nullable @QueryValue String from, @Nullable @QueryValue String to,
                                      @Nullable @QueryValue String range, @Nullable @QueryValue String groupBy,
                                      @Nullable @QueryValue String bucket, @Nullable @QueryValue String backend,
                                      @Nullable @QueryValue String app, @Nullable @QueryValue String model)
            throws IOException {
        UsageReader.UsageQuery query = UsageController.query(clock, from, to, range, groupBy, bucket)
                .within(UsageController.scope(backend, app, model));
        PipedInputStream pipe = new PipedInputStream(PIPE_BYTES);
        PipedOutputStream sink = new PipedOutputStream(pipe);
        FailingInputStream body = new FailingInputStream(pipe);
        Thread.ofVirtual().name("usage-export").start(() -> write(query, sink, body));
        return HttpResponse.ok(new StreamedFile(body, TEXT_CSV))
                .contentType(TEXT_CSV)
                .header(HttpHeaders.CONTENT_DISPOSITION, "attachment; filename=usage.csv");
    }

    private void write(UsageReader.UsageQuery query, PipedOutputStream sink, FailingInputStream body) {
        Writer out = new BufferedWriter(new OutputStreamWriter(sink, StandardCharsets.UTF_8), WRITER_BUFFER_CHARS);
        try {
            UsageCsv.writeHeader(out);
            usage.streamUsage(query, row -> UsageCsv.writeRow(out, row));
            out.flush();
        } catch (UncheckedIOException | IOException e) {
            // the reading side closed the pipe: the client went away
            LOG.debug("usage export stopped: {}", e.toString());
        } catch (RuntimeException | Error e) {
            LOG.warn("usage export failed", e);
            body.fail(e);
        } finally {
            try {
                out.close();
            } catch (IOException ignored) {
                // the reading side is gone
            }
        }
    }

    /** The pipe's reading end, which fails (rather than ending normally) when the writer failed, so a truncated export is not taken for a whole one. */
    static final class FailingInputStream extends FilterInputStream {
        private volatile Throwable failure;

        FailingInputStream(InputStream in) {
            super(in);
        }

        void fail(Throwable cause) {
            failure = cause;
        }

        @Override
        public int read() throws IOException {
            int b = super.read();
            return b < 0 ? check(b) : b;
        }

        @Override
        public int read(byte[] buffer, int offset, int length) throws IOException {
            int n = super.read(buffer, offset, length);
            return n < 0 ? check(n) : n;
        }

        private int check(int end) throws IOException {
            Throwable cause = failure;
            if (cause != null) {
                throw new IOException("usage export failed", cause);
            }
            return end;
        }
    }
}
