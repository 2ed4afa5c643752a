package dev.sluice.adapters.persistence;

import dev.sluice.application.port.BackendRepository;
import dev.sluice.application.port.SecretCipher;
import dev.sluice.db.jooq.tables.records.BackendModelRecord;
import dev.sluice.db.jooq.tables.records.BackendRecord;
import dev.sluice.domain.backend.Backend;
import dev.sluice.domain.backend.ModelMapping;
import org.jooq.Condition;
import org.jooq.DSLContext;
import org.jooq.InsertValuesStep3;
import org.jooq.Records;
import org.jooq.impl.DSL;

import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;

import static dev.sluice.db.jooq.Tables.BACKEND;
import static dev.sluice.db.jooq.Tables.BACKEND_MODEL;
import static org.jooq.impl.DSL.multiset;
import static org.jooq.impl.DSL.select;

/**
 * Backends and their models in PostgreSQL. Each call runs in its own transaction, so a backend
 * and its models change together.
 */
public final class JooqBackendRepository implements BackendRepository {
    private final DSLContext dsl;
    private final BackendRows rows;

    public JooqBackendRepository(DSLContext dsl, SecretCipher cipher) {
        this.dsl = Objects.requireNonNull(dsl, "dsl");
        this.rows = new BackendRows(Objects.requireNonNull(cipher, "cipher"));
    }

    @Override
    public List<Backend> findAll() {
        return dsl.transactionResult(cfg -> fetch(cfg.dsl(), DSL.noCondition()));
    }

    @Override
    public Optional<Backend> findById(UUID id) {
        Objects.requireNonNull(id, "id");
        return dsl.transactionResult(cfg -> fetch(cfg.dsl(), BACKEND.ID.eq(id)).stream().findFirst());
    }

    @Override
    public void insert(Backend backend) {
        byte[] ciphertext = rows.apiKeyCiphertext(backend);
        dsl.transaction(cfg -> {
            DSLContext tx = cfg.dsl();
            tx.insertInto(BACKEND)
                    .set(columns(backend, ciphertext))
                    .execute();
            insertModels(tx, backend);
        });
    }

    @Override
    public boolean update(Backend backend) {
        byte[] ciphertext = rows.apiKeyCiphertext(backend);
        return dsl.transactionResult(cfg -> {
            DSLContext tx = cfg.dsl();
            int updated = tx.update(BACKEND)
                    .set(columns(backend, ciphertext))
                    .set(BACKEND.UPDATED_AT, DSL.currentOffsetDateTime())
                    .where(BACKEND.ID.eq(backend.id()))
                    .execute();
            if (updated == 0) {
                return false;
            }
            tx.deleteFrom(BACKEND_MODEL).where(BACKEND_MODEL.BACKEND_ID.eq(backend.id())).execute();
            insertModels(tx, backend);
            return true;
        });
    }

    @Override
    public boolean delete(UUID id) {
        Objects.requireNonNull(id, "id");
        // the backend's models go with it (ON DELETE CASCADE)
        return dsl.transactionResult(cfg -> cfg.dsl().deleteFrom(BACKEND).where(BACKEND.ID.eq(id)).execute() > 0);
    }

    private List<Backend> fetch(DSLContext tx, Condition condition) {
        return tx.select(
                        BACKEND.ID,
                        BACKEND.NAME,
                        BACKEND.BASE_URL,
                        BACKEND.API_KEY_CIPHERTEXT,
                        BACKEND.PRIORITY,
                        BACKEND.WEIGHT,
                        BACKEND.TIMEOUT_MS,
                        BACKEND.ENABLED,
                        BACKEND.HEADERS,
                        multiset(select(BACKEND_MODEL.NAME, BACKEND_MODEL.UPSTREAM_MODEL)
                                .from(BACKEND_MODEL)
                                .where(BACKEND_MODEL.BACKEND_ID.eq(BACKEND.ID))
                                .orderBy(BACKEND_MODEL.NAME))
                                .convertFrom(models -> models.map(Records.mapping(ModelMapping::new))),
                        DSL.row(BACKEND.RETRY, BACKEND.STREAM_SUPPORT, BACKEND.NON_STREAM_SUPPORT, BACKEND.MAX_CONTEXT_TOKENS,
                                BACKEND.HEALTH_CHECK_ENABLED, BACKEND.HEALTH_CHECK_PATH, BACKEND.HEALTH_CHECK_INTERVAL_MS,
                                BACKEND.HEALTH_CHECK_TIMEOUT_MS).mapping(BackendRows::toOptions),
                        DSL.row(BACKEND.RPM, BACKEND.TPM, BACKEND.RPD, BACKEND.TPR, BACKEND.MAX_CONCURRENT)
                                .mapping(BackendRows::toLimits),
                        DSL.row(BACKEND.MAX_OUTPUT_TOKENS, BACKEND.QUOTA_REQUESTS, BACKEND.QUOTA_TOKENS, BACKEND.QUOTA_CRON,
                                BACKEND.QUOTA_ZONE).mapping(BackendRows::toCapAndQuota))
                .from(BACKEND)
                .where(condition)
                .orderBy(BACKEND.PRIORITY, BACKEND.NAME)
                .fetch(Records.mapping(rows::toBackend));
    }

    /** Every stored column of a backend (its models live in their own table). */
    private static BackendRecord columns(Backend backend, byte[] ciphertext) {
        BackendRecord r = new BackendRecord();
        r.setId(backend.id());
        r.setName(backend.name());
        r.setBaseUrl(backend.baseUrl());
        r.setApiKeyCiphertext(ciphertext);
        r.setApiKeyHint(BackendRows.apiKeyHint(backend));
        r.setPriority(backend.priority());
        r.setWeight(backend.weight());
        r.setTimeoutMs(backend.timeoutMs());
        r.setEnabled(backend.enabled());
        r.setHeaders(HeadersJson.write(backend.headers()));
        var o = backend.options();
        r.setRetry(o.retry());
        r.setStreamSupport(o.streamSupport());
        r.setNonStreamSupport(o.nonStreamSupport());
        r.setMaxContextTokens(orNull(o.maxContextTokens()));
        r.setHealthCheckEnabled(o.healthCheck().enabled());
        r.setHealthCheckPath(o.healthCheck().path());
        r.setHealthCheckIntervalMs((int) o.healthCheck().interval().toMillis());
        r.setHealthCheckTimeoutMs((int) o.healthCheck().timeout().toMillis());
        r.setRpm(orNull(o.limits().rpm()));
        r.setTpm(orNull(o.limits().tpm()));
        r.setRpd(orNull(o.limits().rpd()));
        r.setTpr(orNull(o.limits().tpr()));
        r.setMaxConcurrent(orNull(o.limits().maxConcurrent()));
        r.setMaxOutputTokens(orNull(o.maxOutputTokens()));
        r.setQuotaRequests(QuotaRows.requests(o.quota()));
        r.setQuotaTokens(QuotaRows.tokens(o.quota()));
        r.setQuotaCron(QuotaRows.cron(o.quota()));
        r.setQuotaZone(QuotaRows.zone(o.quota()));
        // only these columns are written: created_at and updated_at keep their defaults / explicit values
        r.changed(BACKEND.CREATED_AT, false);
        r.changed(BACKEND.UPDATED_AT, false);
        return r;
    }

    private static Integer orNull(java.util.OptionalInt v) {
        return v.isPresent() ? v.getAsInt() : null;
    }

    private static Long orNull(java.util.OptionalLong v) {
        return v.isPresent() ? v.getAsLong() : null;
    }

    private static void insertModels(DSLContext tx, Backend backend) {
        if (backend.models().isEmpty()) {
            return;
        }
        InsertValuesStep3<BackendModelRecord, UUID, String, String> insert =
                tx.insertInto(BACKEND_MODEL, BACKEND_MODEL.BACKEND_ID, BACKEND_MODEL.NAME, BACKEND_MODEL.UPSTREAM_MODEL);
        for (ModelMapping model : backend.models()) {
            insert = insert.values(backend.id(), model.name(), model.upstreamModel());
        }
        insert.execute();
    }
}
