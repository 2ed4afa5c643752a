package dev.sluice.adapters.persistence;

import dev.sluice.application.port.HealthEventStore;
import dev.sluice.domain.routing.HealthEvent;
import org.jooq.DSLContext;
import org.jooq.InsertValuesStep5;
import org.jooq.Record5;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;

import static dev.sluice.db.jooq.Tables.BACKEND_HEALTH_EVENT;

/** Backends' health events in {@code backend_health_event}, one multi-row insert per batch. */
public final class JooqHealthEventStore implements HealthEventStore {
    private final DSLContext dsl;

    public JooqHealthEventStore(DSLContext dsl) {
        this.dsl = Objects.requireNonNull(dsl, "dsl");
    }

    @Override
    public void append(List<Entry> entries) {
        if (entries.isEmpty()) {
            return;
        }
        InsertValuesStep5<?, UUID, OffsetDateTime, String, String, OffsetDateTime> insert = dsl.insertInto(BACKEND_HEALTH_EVENT,
                BACKEND_HEALTH_EVENT.BACKEND_ID, BACKEND_HEALTH_EVENT.AT, BACKEND_HEALTH_EVENT.KIND, BACKEND_HEALTH_EVENT.REASON,
                BACKEND_HEALTH_EVENT.UNTIL);
        for (Entry e : entries) {
            HealthEvent event = e.event();
            insert = insert.values(e.backendId(), Timestamps.toColumn(event.at()), event.kind().name(),
                    event.reason().orElse(null), Timestamps.toColumn(event.until().orElse(null)));
        }
        insert.execute();
    }

    @Override
    public List<HealthEvent> find(UUID backendId, Instant from, Instant to, int limit) {
        return dsl.select(BACKEND_HEALTH_EVENT.KIND, BACKEND_HEALTH_EVENT.AT, BACKEND_HEALTH_EVENT.REASON,
                        BACKEND_HEALTH_EVENT.UNTIL, BACKEND_HEALTH_EVENT.ID)
                .from(BACKEND_HEALTH_EVENT)
                .where(BACKEND_HEALTH_EVENT.BACKEND_ID.eq(backendId))
                .and(BACKEND_HEALTH_EVENT.AT.ge(Timestamps.toColumn(from)))
                .and(BACKEND_HEALTH_EVENT.AT.lt(Timestamps.toColumn(to)))
                .orderBy(BACKEND_HEALTH_EVENT.AT.desc(), BACKEND_HEALTH_EVENT.ID.desc())
                .limit(limit)
                .fetch(JooqHealthEventStore::event);
    }

    @Override
    public int deleteBefore(Instant cutoff) {
        return dsl.deleteFrom(BACKEND_HEALTH_EVENT).where(BACKEND_HEALTH_EVENT.AT.lt(Timestamps.toColumn(cutoff))).execute();
    }

    private static HealthEvent event(Record5<String, OffsetDateTime, String, OffsetDateTime, Long> r) {
        return new HealthEvent(HealthEvent.Kind.valueOf(r.value1()), Timestamps.toInstant(r.value2()),
                Optional.ofNullable(r.value3()), Optional.ofNullable(Timestamps.toInstant(r.value4())));
    }
}
