package dev.sluice.adapters.persistence;

import dev.sluice.application.port.AppRepository;
import dev.sluice.domain.app.ApiKey;
import dev.sluice.domain.app.App;
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

    private static List<App> fetchApps(DSLContext tx, Condition condition) {
        return tx.select(APP.ID, APP.NAME)
                .from(APP)
                .where(condition)
                .orderBy(APP.NAME)
                .fetch(Records.mapping(App::new));
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
