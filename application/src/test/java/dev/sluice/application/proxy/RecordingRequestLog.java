package dev.sluice.application.proxy;

import dev.sluice.application.port.RequestLog;
import dev.sluice.domain.usage.RequestRecord;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

final class RecordingRequestLog implements RequestLog {
    private final List<RequestRecord> records = new ArrayList<>();

    @Override
    public void append(RequestRecord record) {
        records.add(record);
    }

    /** The one record a finished request leaves. */
    RequestRecord only() {
        assertEquals(1, records.size(), "request log records: " + records);
        return records.getFirst();
    }

    List<RequestRecord> all() {
        return records;
    }
}
