package dev.sluice.adapters.persistence;

import dev.sluice.application.port.AutoModelRepository;
import org.jooq.DSLContext;

import java.util.List;
import java.util.Objects;

import static dev.sluice.db.jooq.Tables.AUTO_MODEL;

/** The ordered models behind {@code auto}, replaced as a whole in one transaction. */
public final class JooqAutoModelRepository implements AutoModelRepository {
    private final DSLContext dsl;

    public JooqAutoModelRepository(DSLContext dsl) {
        this.dsl = Objects.requireNonNull(dsl, "dsl");
    }

    @Override
    public List<String> findAll() {
        return dsl.transactionResult(cfg -> cfg.dsl().select(AUTO_MODEL.MODEL).from(AUTO_MODEL)
                .orderBy(AUTO_MODEL.POSITION).fetch(AUTO_MODEL.MODEL));
    }

    @Override
    public void replaceAll(List<String> models) {
        List<String> copy = List.copyOf(models);
        dsl.transaction(cfg -> {
            DSLContext tx = cfg.dsl();
            tx.deleteFrom(AUTO_MODEL).execute();
            for (int i = 0; i < copy.size(); i++) {
                tx.insertInto(AUTO_MODEL).set(AUTO_MODEL.POSITION, i).set(AUTO_MODEL.MODEL, copy.get(i)).execute();
            }
        });
    }
}
