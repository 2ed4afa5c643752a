package dev.sluice.adapters.persistence;

import dev.sluice.application.port.AuditLog;
import org.jooq.Condition;
import org.jooq.DSLContext;

import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

import static dev.sluice.db.jooq.Tables.ADMIN_AUDIT;

/** The audit log in {@code admin_audit}; before and after as JSON text, in the order written. */
public final class JooqAuditLog implements AuditLog {
    private final DSLContext dsl;

    public JooqAuditLog(DSLContext dsl) {
        this.dsl = Objects.requireNonNull(dsl, "dsl");
    }

    @Override
    public void record(Entry e) {
        dsl.insertInto(ADMIN_AUDIT)
                .set(ADMIN_AUDIT.AT, Timestamps.toColumn(e.at()))
                .set(ADMIN_AUDIT.ACTOR, cut(e.actor(), 100))
                .set(ADMIN_AUDIT.ADDRESS, cut(e.address(), 100))
                .set(ADMIN_AUDIT.ACTION, cut(e.action(), 64))
                .set(ADMIN_AUDIT.TARGET_TYPE, cut(e.targetType(), 32))
                .set(ADMIN_AUDIT.TARGET_ID, cut(e.targetId(), 64))
                .set(ADMIN_AUDIT.TARGET_NAME, e.targetName().map(n -> cut(n, 200)).orElse(null))
                .set(ADMIN_AUDIT.BEFORE, e.before().orElse(null))
                .set(ADMIN_AUDIT.AFTER, e.after().orElse(null))
                .execute();
    }

    @Override
    public List<Entry> find(Instant from, Instant to, Optional<String> targetType, int limit) {
        Condition where = ADMIN_AUDIT.AT.ge(Timestamps.toColumn(from)).and(ADMIN_AUDIT.AT.lt(Timestamps.toColumn(to)));
        if (targetType.isPresent()) {
            where = where.and(ADMIN_AUDIT.TARGET_TYPE.eq(targetType.get()));
        }
        return dsl.selectFrom(ADMIN_AUDIT).where(where).orderBy(ADMIN_AUDIT.AT.desc(), ADMIN_AUDIT.ID.desc()).limit(limit)
                .fetch(r -> new Entry(Timestamps.toInstant(r.getAt()), r.getActor(), r.getAddress(), r.getAction(),
                        r.getTargetType(), r.getTargetId(), Optional.ofNullable(r.getTargetName()),
                        Optional.ofNullable(r.getBefore()), Optional.ofNullable(r.getAfter())));
    }

    private static String cut(String s, int max) {
        String value = s == null ? "" : s;
        return value.length() <= max ? value : value.substring(0, max);
    }
}
