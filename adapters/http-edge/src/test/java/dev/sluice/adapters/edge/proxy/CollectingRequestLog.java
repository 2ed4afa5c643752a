package dev.sluice.adapters.edge.proxy;

import dev.sluice.application.port.RequestLog;
import dev.sluice.domain.usage.RequestRecord;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** Keeps every record the proxy appends. */
final class CollectingRequestLog implements RequestLog {
    final List<RequestRecord> records = new CopyOnWriteArrayList<>();

    @Override
    public void append(RequestRecord record) {
        records.add(record);
    }

    RequestRecord awaitRecord(String requestId, Duration timeout) {
        Poll.until(() -> find(requestId) != null, timeout, "no request log record for " + requestId);
        return find(requestId);
    }

    private RequestRecord find(String requestId) {
        for (RequestRecord r : records) {
            if (r.requestId().equals(requestId)) {
                return r;
            }
        }
        return null;
    }
}
