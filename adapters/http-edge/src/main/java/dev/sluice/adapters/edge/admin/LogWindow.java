package dev.sluice.adapters.edge.admin;

import dev.sluice.application.admin.FieldError;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * {@code ?from=&to=&limit=} of a newest-first log (the request log, the audit log, a backend's
 * health events): {@code from} defaults to {@code span} before now, {@code to} to a minute after now
 * (so what was written a moment ago is in), {@code limit} to 100, at most 1000. A bad value adds a
 * field error naming it; its field is then null (or the default limit) and the caller throws.
 */
record LogWindow(Instant from, Instant to, int limit) {
    static final int DEFAULT_LIMIT = 100;
    static final int MAX_LIMIT = 1000;

    static LogWindow of(String from, String to, Integer limit, Duration span, Instant now, List<FieldError> errors) {
        Instant start = from == null ? now.minus(span) : UsageController.parse("from", from, errors);
        Instant end = to == null ? now.plusSeconds(60) : UsageController.parse("to", to, errors);
        int size = limit == null ? DEFAULT_LIMIT : limit;
        if (size < 1 || size > MAX_LIMIT) {
            errors.add(new FieldError("limit", "must be between 1 and " + MAX_LIMIT));
        }
        return new LogWindow(start, end, size);
    }
}
