package dev.sluice.adapters.persistence;

import dev.sluice.adapters.persistence.testing.TestDatabase;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import java.time.Duration;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Two instances on one database: a change announced by one reaches the other, and not itself. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PostgresConfigChannelTest {
    private TestDatabase db;

    @BeforeAll
    void start() {
        db = TestDatabase.create();
    }

    @AfterAll
    void stop() {
        db.close();
    }

    private PostgresConfigChannel channel(String instance, Runnable onChange) {
        return new PostgresConfigChannel(db.dsl(), db.jdbcUrl(), db.user(), db.password(), instance, onChange,
                Duration.ofMillis(200)).start();
    }

    private static void awaitListening(PostgresConfigChannel channel) throws InterruptedException {
        for (int i = 0; i < 100 && !channel.listening(); i++) {
            Thread.sleep(50);
        }
        assertTrue(channel.listening(), "listening");
    }

    @Test
    void givenTwoInstances_whenOneAnnouncesAChange_thenTheOtherReloadsWithinASecond_andTheFirstDoesNot() throws Exception {
        AtomicInteger aReloads = new AtomicInteger();
        Semaphore bReloaded = new Semaphore(0);
        try (PostgresConfigChannel a = channel("instance-a", aReloads::incrementAndGet);
             PostgresConfigChannel b = channel("instance-b", bReloaded::release)) {
            awaitListening(a);
            awaitListening(b);

            long start = System.nanoTime();
            a.announce();

            assertTrue(bReloaded.tryAcquire(1, TimeUnit.SECONDS), "instance B reloaded within a second");
            long millis = (System.nanoTime() - start) / 1_000_000;
            assertTrue(millis < 1000, "took " + millis + " ms");
            Thread.sleep(700);
            assertEquals(0, aReloads.get(), "its own announcement does not reload the instance that made the change");
        }
    }

    @Test
    void givenAClosedChannel_thenItStopsListening() throws Exception {
        PostgresConfigChannel channel = channel("instance-c", () -> { });
        awaitListening(channel);
        channel.close();
        assertTrue(!channel.listening());
    }
}
