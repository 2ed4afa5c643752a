package dev.sluice.adapters.persistence;

import dev.sluice.adapters.persistence.testing.TestDatabase;
import org.jooq.SQLDialect;
import org.jooq.impl.DSL;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.postgresql.ds.PGSimpleDataSource;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class JdbcDatabaseProbeTest {
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
    void givenALiveDatabase_whenProbed_thenReachable() {
        assertTrue(new JdbcDatabaseProbe(db.dsl()).reachable());
    }

    @Test
    void givenNoServerAtTheUrl_whenProbed_thenNotReachable() {
        PGSimpleDataSource dead = new PGSimpleDataSource();
        dead.setURL("jdbc:postgresql://127.0.0.1:1/postgres");

        assertFalse(new JdbcDatabaseProbe(DSL.using(dead, SQLDialect.POSTGRES)).reachable());
    }

    @Test
    void givenAServerThatNeverAnswers_whenProbed_thenNotReachableWithinTheTimeout() throws IOException {
        // the kernel completes the TCP handshake from the backlog, but nothing ever replies
        try (ServerSocket silent = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            PGSimpleDataSource dataSource = new PGSimpleDataSource();
            dataSource.setURL("jdbc:postgresql://127.0.0.1:" + silent.getLocalPort() + "/postgres");
            JdbcDatabaseProbe probe = new JdbcDatabaseProbe(DSL.using(dataSource, SQLDialect.POSTGRES), Duration.ofMillis(300));

            long start = System.nanoTime();
            boolean reachable = probe.reachable();
            long tookMillis = (System.nanoTime() - start) / 1_000_000;

            assertFalse(reachable);
            assertTrue(tookMillis >= 250 && tookMillis < 2_000, "the probe took " + tookMillis + " ms");
        }
    }

    @Test
    void givenADroppedDatabase_whenProbed_thenNotReachable() {
        TestDatabase gone = TestDatabase.create();
        JdbcDatabaseProbe probe = new JdbcDatabaseProbe(gone.dsl(), Duration.ofSeconds(1));
        assertTrue(probe.reachable());

        gone.close();

        assertFalse(probe.reachable());
    }
}
