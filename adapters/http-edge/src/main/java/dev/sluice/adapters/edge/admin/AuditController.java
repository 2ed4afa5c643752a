package dev.sluice.adapters.edge.admin;

import dev.sluice.application.admin.FieldError;
import dev.sluice.application.admin.InvalidFieldsException;
import dev.sluice.application.port.AuditLog;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.http.MediaType;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Get;
import io.micronaut.http.annotation.QueryValue;
import io.micronaut.json.JsonMapper;
import io.micronaut.scheduling.TaskExecutors;
import io.micronaut.scheduling.annotation.ExecuteOn;
import io.micronaut.serde.annotation.Serdeable;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** {@code GET /admin/api/v1/audit?from=&to=&type=&limit=}: admin changes, newest first (default: the last 30 days, 100). */
@Controller(value = "/admin/api/v1/audit", produces = MediaType.APPLICATION_JSON)
@ExecuteOn(TaskExecutors.BLOCKING)
final class AuditController {
    private final AuditLog log;
    private final JsonMapper mapper;
    private final Clock clock;

    AuditController(AuditLog log, JsonMapper mapper, Clock clock) {
        this.log = log;
        this.mapper = mapper;
        this.clock = clock;
    }

    @Serdeable
    record EntryView(Instant at, String actor, String address, String action, String targetType, String targetId,
                     String targetName, Object before, Object after) {
    }

    @Serdeable
    record EntryList(List<EntryView> data) {
    }

    @Get
    EntryList list(@Nullable @QueryValue String from, @Nullable @QueryValue String to, @Nullable @QueryValue String type,
                   @Nullable @QueryValue Integer limit) {
        List<FieldError> errors = new ArrayList<>();
        LogWindow window = LogWindow.of(from, to, limit, Duration.ofDays(30), clock.instant(), errors);
        if (!errors.isEmpty()) {
            throw new InvalidFieldsException(errors);
        }
        return new EntryList(log.find(window.from(), window.to(), Optional.ofNullable(type).filter(t -> !t.isBlank()), window.limit()).stream()
                .map(e -> new EntryView(e.at(), e.actor(), e.address(), e.action(), e.targetType(), e.targetId(),
                        e.targetName().orElse(null), tree(e.before()), tree(e.after())))
                .toList());
    }

    private Object tree(Optional<String> json) {
        if (json.isEmpty()) {
            return null;
        }
        try {
            return mapper.readValue(json.get().getBytes(StandardCharsets.UTF_8), Object.class);
        } catch (IOException e) {
            return json.get();
        }
    }
}
