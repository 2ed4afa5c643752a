package dev.sluice.adapters.persistence;

import dev.sluice.application.port.QuotaRepository;
import org.jooq.DSLContext;
import org.jooq.impl.DSL;

import java.time.Instant;
import java.util.List;
import java.util.Objects;

import static dev.sluice.db.jooq.Tables.QUOTA_USAGE;

/** Quota counters per scope and period, upserted in one transaction per save. */
public final class JooqQuotaRepository implements QuotaRepository {
    private final DSLContext dsl;

    public JooqQuotaRepository(DSLContext dsl) {
        this.dsl = Objects.requireNonNull(dsl, "dsl");
    }

    @Override
    public List<QuotaUsage> findCurrent(Instant now) {
        return dsl.transactionResult(cfg -> cfg.dsl()
                .select(QUOTA_USAGE.SCOPE, QUOTA_USAGE.PERIOD_START, QUOTA_USAGE.PERIOD_END, QUOTA_USAGE.REQUESTS, QUOTA_USAGE.TOKENS)
                .from(QUOTA_USAGE)
                .where(QUOTA_USAGE.PERIOD_END.gt(Timestamps.toColumn(now)))
                .fetch(r -> new QuotaUsage(r.value1(), Timestamps.toInstant(r.value2()), Timestamps.toInstant(r.value3()),
                        r.value4(), r.value5())));
    }

    @Override
    public void save(List<QuotaUsage> usage) {
        if (usage.isEmpty()) {
            return;
        }
        dsl.transaction(cfg -> {
            DSLContext tx = cfg.dsl();
            for (QuotaUsage u : usage) {
                tx.insertInto(QUOTA_USAGE)
                        .set(QUOTA_USAGE.SCOPE, u.scope())
                        .set(QUOTA_USAGE.PERIOD_START, Timestamps.toColumn(u.periodStart()))
                        .set(QUOTA_USAGE.PERIOD_END, Timestamps.toColumn(u.periodEnd()))
                        .set(QUOTA_USAGE.REQUESTS, u.requests())
                        .set(QUOTA_USAGE.TOKENS, u.tokens())
                        .onConflict(QUOTA_USAGE.SCOPE, QUOTA_USAGE.PERIOD_START)
                        .doUpdate()
                        .set(QUOTA_USAGE.REQUESTS, u.requests())
                        .set(QUOTA_USAGE.TOKENS, u.tokens())
                        .set(QUOTA_USAGE.UPDATED_AT, DSL.currentOffsetDateTime())
                        .execute();
            }
        });
    }
}
