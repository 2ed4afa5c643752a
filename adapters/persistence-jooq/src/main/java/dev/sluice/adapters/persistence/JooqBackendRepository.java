package dev.sluice.adapters.persistence;

import dev.sluice.application.port.BackendRepository;
import dev.sluice.application.port.SecretCipher;
import dev.sluice.db.jooq.tables.records.BackendModelRecord;
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
                    .set(BACKEND.ID, backend.id())
                    .set(BACKEND.NAME, backend.name())
                    .set(BACKEND.BASE_URL, backend.baseUrl())
                    .set(BACKEND.API_KEY_CIPHERTEXT, ciphertext)
                    .set(BACKEND.API_KEY_HINT, BackendRows.apiKeyHint(backend))
                    .set(BACKEND.PRIORITY, backend.priority())
                    .set(BACKEND.WEIGHT, backend.weight())
                    .set(BACKEND.TIMEOUT_MS, backend.timeoutMs())
                    .set(BACKEND.ENABLED, backend.enabled())
                    .set(BACKEND.HEADERS, HeadersJson.write(backend.headers()))
                    .set(BACKEND.RETRY, backend.options().retry())
                    .set(BACKEND.STREAM_SUPPORT, backend.options().streamSupport())
                    .set(BACKEND.NON_STREAM_SUPPORT, backend.options().nonStreamSupport())
                    .set(BACKEND.MAX_CONTEXT_TOKENS, backend.options().maxContextTokens().isPresent()
                            ? backend.options().maxContextTokens().getAsInt() : null)
                    .set(BACKEND.HEALTH_CHECK_ENABLED, backend.options().healthCheck().enabled())
                    .set(BACKEND.HEALTH_CHECK_PATH, backend.options().healthCheck().path())
                    .set(BACKEND.HEALTH_CHECK_INTERVAL_MS, (int) backend.options().healthCheck().interval().toMillis())
                    .set(BACKEND.HEALTH_CHECK_TIMEOUT_MS, (int) backend.options().healthCheck().timeout().toMillis())
                    .set(BACKEND.RPM, orNull(backend.options().limits().rpm()))
                    .set(BACKEND.TPM, orNull(backend.options().limits().tpm()))
                    .set(BACKEND.RPD, orNull(backend.options().limits().rpd()))
                    .set(BACKEND.TPR, orNull(backend.options().limits().tpr()))
                    .set(BACKEND.MAX_CONCURRENT, orNull(backend.options().limits().maxConcurrent()))
                    .set(BACKEND.MAX_OUTPUT_TOKENS, orNull(backend.options().maxOutputTokens()))
                    .set(BACKEND.QUOTA_REQUESTS, QuotaRows.requests(backend.options().quota()))
                    .set(BACKEND.QUOTA_TOKENS, QuotaRows.tokens(backend.options().quota()))
                    .set(BACKEND.QUOTA_CRON, QuotaRows.cron(backend.options().quota()))
                    .set(BACKEND.QUOTA_ZONE, QuotaRows.zone(backend.options().quota()))
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
                    .set(BACKEND.NAME, backend.name())
                    .set(BACKEND.BASE_URL, backend.baseUrl())
                    .set(BACKEND.API_KEY_CIPHERTEXT, ciphertext)
                    .set(BACKEND.API_KEY_HINT, BackendRows.apiKeyHint(backend))
                    .set(BACKEND.PRIORITY, backend.priority())
                    .set(BACKEND.WEIGHT, backend.weight())
                    .set(BACKEND.TIMEOUT_MS, backend.timeoutMs())
                    .set(BACKEND.ENABLED, backend.enabled())
                    .set(BACKEND.HEADERS, HeadersJson.write(backend.headers()))
                    .set(BACKEND.RETRY, backend.options().retry())
                    .set(BACKEND.STREAM_SUPPORT, backend.options().streamSupport())
                    .set(BACKEND.NON_STREAM_SUPPORT, backend.options().nonStreamSupport())
                    .set(BACKEND.MAX_CONTEXT_TOKENS, backend.options().maxContextTokens().isPresent()
                            ? backend.options().maxContextTokens().getAsInt() : null)
                    .set(BACKEND.HEALTH_CHECK_ENABLED, backend.options().healthCheck().enabled())
                    .set(BACKEND.HEALTH_CHECK_PATH, backend.options().healthCheck().path())
                    .set(BACKEND.HEALTH_CHECK_INTERVAL_MS, (int) backend.options().healthCheck().interval().toMillis())
                    .set(BACKEND.HEALTH_CHECK_TIMEOUT_MS, (int) backend.options().healthCheck().timeout().toMillis())
                    .set(BACKEND.RPM, orNull(backend.options().limits().rpm()))
                    .set(BACKEND.TPM, orNull(backend.options().limits().tpm()))
                    .set(BACKEND.RPD, orNull(backend.options().limits().rpd()))
                    .set(BACKEND.TPR, orNull(backend.options().limits().tpr()))
                    .set(BACKEND.MAX_CONCURRENT, orNull(backend.options().limits().maxConcurrent()))
                    .set(BACKEND.MAX_OUTPUT_TOKENS, orNull(backend.options().maxOutputTokens()))
                    .set(BACKEND.QUOTA_REQUESTS, QuotaRows.requests(backend.options().quota()))
                    .set(BACKEND.QUOTA_TOKENS, QuotaRows.tokens(backend.options().quota()))
                    .set(BACKEND.QUOTA_CRON, QuotaRows.cron(backend.options().quota()))
                    .set(BACKEND.QUOTA_ZONE, QuotaRows.zone(backend.options().quota()))
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
