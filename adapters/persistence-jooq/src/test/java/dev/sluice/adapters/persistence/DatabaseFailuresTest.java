package dev.sluice.adapters.persistence;

import dev.sluice.adapters.persistence.testing.TestDatabase;
import dev.sluice.domain.app.App;
import org.jooq.exception.DataAccessException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DatabaseFailuresTest {
    private static TestDatabase db;

    @BeforeAll
    static void startDatabase() {
        db = TestDatabase.create();
    }

    @AfterAll
    static void dropDatabase() {
        db.close();
    }

    @Test
    void givenAConstraintViolation_whenDescribed_thenTheRowValuesAreLeftOut() {
        JooqAppRepository apps = new JooqAppRepository(db.dsl());
        apps.insertApp(new App(UUID.randomUUID(), "private-customer-name"));

        DataAccessException e = assertThrows(DataAccessException.class,
                () -> apps.insertApp(new App(UUID.randomUUID(), "private-customer-name")));
        String described = DatabaseFailures.describe(e);

        assertTrue(e.getMessage().contains("private-customer-name"), "PostgreSQL's own message quotes the row: " + e.getMessage());
        assertFalse(described.contains("private-customer-name"), described);
        assertTrue(described.startsWith("PSQLException SQLSTATE 23505: ERROR: duplicate key value"), described);
    }

    @Test
    void givenTwoTestDatabases_thenEachIsItsOwnAndCloseDropsIt() throws SQLException {
        TestDatabase other = TestDatabase.create();
        assertNotEquals(db.jdbcUrl(), other.jdbcUrl());
        try (Connection ignored = DriverManager.getConnection(other.jdbcUrl(), other.user(), other.password())) {
            // it exists
        }

        other.close();

        assertThrows(SQLException.class, () -> DriverManager.getConnection(other.jdbcUrl(), other.user(), other.password()).close());
    }
}
