package dev.sluice.adapters.persistence;

import dev.sluice.domain.usage.RequestRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.BufferedReader;
import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The request log's spill files in one directory: {@code request-log-spill-<20-digit sequence>.jsonl},
 * each an append-only file of {@link RequestRecordLines} lines, oldest sequence first. Only the
 * writer thread uses an instance.
 */
final class SpillFiles implements Closeable {
    private static final Pattern NAME = Pattern.compile("request-log-spill-(\\d{20})\\.jsonl");
    private static final Logger LOG = LoggerFactory.getLogger(SpillFiles.class);

    private final Path directory;
    private long nextSequence;
    private FileChannel current;
    private Path currentPath;

    SpillFiles(Path directory) throws IOException {
        this.directory = directory;
        Files.createDirectories(directory);
        long last = 0;
        for (Path file : files()) {
            last = Math.max(last, sequence(file));
        }
        this.nextSequence = last + 1;
    }

    Path directory() {
        return directory;
    }

    /** The spill files, oldest first. */
    List<Path> files() throws IOException {
        try (Stream<Path> listing = Files.list(directory)) {
            return listing.filter(p -> NAME.matcher(p.getFileName().toString()).matches()).sorted().toList();
        }
    }

    /** The records in a file that can be read back; unreadable lines (a write torn by a crash) are not counted. */
    static long countRecords(Path file) throws IOException {
        long n = 0;
        try (BufferedReader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            String line;
            while ((line = in.readLine()) != null) {
                if (readable(line)) {
                    n++;
                }
            }
        }
        return n;
    }

    private static boolean readable(String line) {
        if (line.isBlank()) {
            return false;
        }
        try {
            RequestRecordLines.decode(line);
            return true;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    /** Appends the records to the current file (a new one when none is open) and fsyncs it before returning. */
    void append(List<RequestRecord> records) throws IOException {
        StringBuilder text = new StringBuilder(records.size() * 600);
        for (RequestRecord r : records) {
            text.append(RequestRecordLines.encode(r)).append('\n');
        }
        ByteBuffer bytes = ByteBuffer.wrap(text.toString().getBytes(StandardCharsets.UTF_8));
        boolean created = false;
        if (current == null) {
            currentPath = directory.resolve(String.format("request-log-spill-%020d.jsonl", nextSequence++));
            current = FileChannel.open(currentPath, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE,
                    StandardOpenOption.APPEND);
            created = true;
        }
        try {
            while (bytes.hasRemaining()) {
                current.write(bytes);
            }
            current.force(false);
        } catch (IOException e) {
            // a torn line may end the file now: never append after it
            seal();
            throw e;
        }
        if (created) {
            syncDirectory();
        }
    }

    /** Stops appending to the current file, when it is {@code file}; later records go to a new file. */
    void sealIfCurrent(Path file) {
        if (file.equals(currentPath)) {
            seal();
        }
    }

    void delete(Path file) throws IOException {
        sealIfCurrent(file);
        Files.deleteIfExists(file);
        syncDirectory();
    }

    private void seal() {
        if (current != null) {
            try {
                current.close();
            } catch (IOException e) {
                LOG.warn("request log: closing spill file {} failed: {}", currentPath, e.toString());
            }
        }
        current = null;
        currentPath = null;
    }

    private void syncDirectory() {
        try (FileChannel dir = FileChannel.open(directory, StandardOpenOption.READ)) {
            dir.force(true);
        } catch (IOException | UnsupportedOperationException e) {
            // not every platform can fsync a directory
        }
    }

    private static long sequence(Path file) {
        var m = NAME.matcher(file.getFileName().toString());
        return m.matches() ? Long.parseLong(m.group(1)) : 0;
    }

    @Override
    public void close() {
        seal();
    }
}
