package dev.sluice.adapters.persistence;

import dev.sluice.adapters.persistence.testing.TestDatabase;
import dev.sluice.application.port.AuditLog.Entry;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;

@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class JooqAuditLogTest {
    private static final Instant T0 = Instant.parse("2026-12-04T12:00:00.123456Z");
    private TestDatabase db;
    private JooqAuditLog log;

    @BeforeAll
    void start() {
        db = TestDatabase.create();
        log = new JooqAuditLog(db.dsl());
    }

    @AfterAll
    void stop() {
        db.close();
    }

    @Test
    void givenChanges_whenRead_thenNewestFirstWithEveryField_andFilteredByType() {
        Entry created = new Entry(T0, "admin-token", "127.0.0.1", "backend.create", "backend", "b-1", Optional.of("main"),
                Optional.empty(), Optional.of("{\"name\": \"main\", \"rpm\": 10}"));
        Entry updated = new Entry(T0.plusSeconds(1), "console", "10.0.0.7", "backend.update", "backend", "b-1",
                Optional.of("main"), Optional.of("{\"name\": \"main\", \"rpm\": 10}"), Optional.of("{\"name\": \"main\", \"rpm\": 20}"));
        Entry app = new Entry(T0.plusSeconds(2), "admin-token", "127.0.0.1", "app.create", "app", "a-1", Optional.of("web"),
                Optional.empty(), Optional.of("{\"name\": \"web\"}"));
        log.record(created);
        log.record(updated);
        log.record(app);

        assertEquals(List.of(app, updated, created), log.find(T0, T0.plusSeconds(10), Optional.empty(), 10));
        assertEquals(List.of(updated, created), log.find(T0, T0.plusSeconds(10), Optional.of("backend"), 10));
        assertEquals(List.of(app), log.find(T0, T0.plusSeconds(10), Optional.empty(), 1));
        assertEquals(List.of(created), log.find(T0, T0.plusSeconds(1), Optional.empty(), 10));
    }
}
