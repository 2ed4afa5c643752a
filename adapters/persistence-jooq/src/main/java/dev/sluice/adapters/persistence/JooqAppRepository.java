package dev.sluice.adapters.persistence;

import dev.sluice.application.port.AppRepository;
import dev.sluice.domain.app.ApiKey;
import dev.sluice.domain.app.App;
import dev.sluice.domain.app.AppPolicy;
import dev.sluice.domain.limits.Limits;
import dev.sluice.domain.limits.PriorityClass;
import java.time.Duration;
import java.util.OptionalInt;
import java.util.OptionalLong;
import org.jooq.Condition;
import org.jooq.DSLContext;
import org.jooq.Records;
import org.jooq.impl.DSL;

import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;

import static dev.sluice.db.jooq.Tables.API_KEY;
import static dev.sluice.db.jooq.Tables.APP;

/** Client apps and their gateway keys (hashes and visible prefixes only) in PostgreSQL. */
public final class JooqAppRepository implements AppRepository {
    private final DSLContext dsl;

    public JooqAppRepository(DSLContext dsl) {
        this.dsl = Objects.requireNonNull(dsl, "dsl");
    }

    @Override
    public List<App> findAllApps() {
        return dsl.transactionResult(cfg -> fetchApps(cfg.dsl(), DSL.noCondition()));
    }

    @Override
    public Optional<App> findApp(UUID id) {
        Objects.requireNonNull(id, "id");
        return dsl.transactionResult(cfg -> fetchApps(cfg.dsl(), APP.ID.eq(id)).stream().findFirst());
    }

    @Override
    public void insertApp(App app) {
        dsl.transaction(cfg -> cfg.dsl().insertInto(APP)
                .set(APP.ID, app.id())
                .set(APP.NAME, app.name())
                .execute());
    }

    @Override
    public List<ApiKey> findAllKeys() {
        return dsl.transactionResult(cfg -> fetchKeys(cfg.dsl(), DSL.noCondition()));
    }

    @Override
    public List<ApiKey> findKeys(UUID appId) {
        Objects.requireNonNull(appId, "appId");
        return dsl.transactionResult(cfg -> fetchKeys(cfg.dsl(), API_KEY.APP_ID.eq(appId)));
    }

    @Override
    public void insertKey(ApiKey key) {
        dsl.transaction(cfg -> cfg.dsl().insertInto(API_KEY)
                .set(API_KEY.ID, key.id())
                .set(API_KEY.APP_ID, key.appId())
                .set(API_KEY.PREFIX, key.prefix())
                .set(API_KEY.KEY_HASH, key.hash())
                .set(API_KEY.CREATED_AT, key.createdAt() == null
                        ? DSL.currentOffsetDateTime()
                        : DSL.val(Timestamps.toColumn(key.createdAt())))
                .set(API_KEY.REVOKED_AT, key.revokedAt().map(Timestamps::toColumn).orElse(null))
                .execute());
    }

    @Override
    public boolean revokeKey(UUID appId, UUID keyId, Instant at) {
        Objects.requireNonNull(appId, "appId");
        Objects.requireNonNull(keyId, "keyId");
        Objects.requireNonNull(at, "at");
        // one conditional UPDATE: a key of another app, or one already revoked, is left alone
        return dsl.transactionResult(cfg -> cfg.dsl().update(API_KEY)
                .set(API_KEY.REVOKED_AT, Timestamps.toColumn(at))
                .where(API_KEY.ID.eq(keyId))
                .and(API_KEY.APP_ID.eq(appId))
                .and(API_KEY.REVOKED_AT.isNull())
                .execute() == 1);
    }

    @Override
    public boolean updatePolicy(UUID appId, AppPolicy policy) {
        Limits l = policy.limits();
        return dsl.transactionResult(cfg -> cfg.dsl().update(APP)
                .set(APP.RPM, l.rpm().isPresent() ? l.rpm().getAsInt() : null)
                .set(APP.TPM, l.tpm().isPresent() ? l.tpm().getAsLong() : null)
                .set(APP.MAX_CONCURRENT, l.maxConcurrent().isPresent() ? l.maxConcurrent().getAsInt() : null)
                .set(APP.MAX_WAIT_MS, policy.maxWait().map(d -> (int) d.toMillis()).orElse(null))
                .set(APP.PRIORITY, policy.priority().name().toLowerCase(java.util.Locale.ROOT))
                .set(APP.MAX_OUTPUT_TOKENS, policy.maxOutputTokens().isPresent() ? policy.maxOutputTokens().getAsInt() : null)
                .set(APP.QUOTA_REQUESTS, QuotaRows.requests(policy.quota()))
                .set(APP.QUOTA_TOKENS, QuotaRows.tokens(policy.quota()))
                .set(APP.QUOTA_CRON, QuotaRows.cron(policy.quota()))
                .set(APP.QUOTA_ZONE, QuotaRows.zone(policy.quota()))
                .where(APP.ID.eq(appId))
                .execute() > 0);
    }

    static AppPolicy toPolicy(Integer rpm, Long tpm, Integer maxConcurrent, Integer maxWaitMs, String priority,
                              Integer maxOutputTokens, Long quotaRequests, Long quotaTokens, String quotaCron, String quotaZone) {
        Limits limits = new Limits(rpm == null ? OptionalInt.empty() : OptionalInt.of(rpm),
                tpm == null ? OptionalLong.empty() : OptionalLong.of(tpm), OptionalInt.empty(), OptionalLong.empty(),
                maxConcurrent == null ? OptionalInt.empty() : OptionalInt.of(maxConcurrent));
        return new AppPolicy(limits, maxWaitMs == null ? Optional.empty() : Optional.of(Duration.ofMillis(maxWaitMs)),
                PriorityClass.parse(priority).orElse(PriorityClass.NORMAL),
                maxOutputTokens == null ? OptionalInt.empty() : OptionalInt.of(maxOutputTokens),
                QuotaRows.toQuota(quotaRequests, quotaTokens, quotaCron, quotaZone));
    }

    private static List<App> fetchApps(DSLContext tx, Condition condition) {
        return tx.select(APP.ID, APP.NAME, DSL.row(APP.RPM, APP.TPM, APP.MAX_CONCURRENT, APP.MAX_WAIT_MS, APP.PRIORITY,
                        APP.MAX_OUTPUT_TOKENS, APP.QUOTA_REQUESTS, APP.QUOTA_TOKENS, APP.QUOTA_CRON, APP.QUOTA_ZONE)
                        .mapping(JooqAppRepository::toPolicy))
                .from(APP)
                .where(condition)
                .orderBy(APP.NAME)
                .fetch(Records.mapping((id, name, policy) -> new App(id, name, policy)));
    }

    private static List<ApiKey> fetchKeys(DSLContext tx, Condition condition) {
        return tx.select(API_KEY.ID, API_KEY.APP_ID, API_KEY.PREFIX, API_KEY.KEY_HASH, API_KEY.CREATED_AT,
                        API_KEY.REVOKED_AT)
                .from(API_KEY)
                .where(condition)
                .orderBy(API_KEY.CREATED_AT, API_KEY.ID)
                .fetch(Records.mapping(AppRows::toApiKey));
    }
}
