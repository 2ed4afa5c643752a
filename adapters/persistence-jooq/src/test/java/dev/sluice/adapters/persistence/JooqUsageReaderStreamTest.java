package dev.sluice.adapters.persistence;

import dev.sluice.adapters.persistence.testing.TestDatabase;
import dev.sluice.application.port.UsageReader;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** {@link JooqUsageReader#streamUsage} hands over every row of {@code usage()}, in order, through a cursor. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class JooqUsageReaderStreamTest {
    private static final Instant START = Instant.parse("2026-01-05T00:00:00Z");
    private static final int MINUTES = 1_500;
    private static final int BACKENDS = 7;

    private TestDatabase db;
    private JooqUsageReader reader;

    @BeforeAll
    void start() {
        db = TestDatabase.create();
        db.dsl().execute("""
                insert into usage_minute (bucket, backend_name, app_name, model, requests, errors, prompt_tokens, completion_tokens, total_tokens)
                select timestamptz '2026-01-05T00:00:00Z' + make_interval(mins => m), 'backend-' || b, 'app', 'model', m + b, b, 10, 5, 15
                from generate_series(0, ?) m, generate_series(1, ?) b""", MINUTES - 1, BACKENDS);
        // the rollups the writer keeps alongside the minutes (the reader uses them for hour and day buckets)
        for (String unit : new String[] {"hour", "day"}) {
            db.dsl().execute("insert into usage_" + unit + " (bucket, backend_name, app_name, model, requests, errors, "
                    + "prompt_tokens, completion_tokens, total_tokens) select date_trunc('" + unit + "', bucket, 'UTC'), "
                    + "backend_name, app_name, model, sum(requests), sum(errors), sum(prompt_tokens), sum(completion_tokens), "
                    + "sum(total_tokens) from usage_minute group by 1, 2, 3, 4");
        }
        reader = new JooqUsageReader(db.dsl());
    }

    @AfterAll
    void stop() {
        db.close();
    }

    @Test
    void givenManyRows_whenStreamed_thenAllArriveInOrder() {
        UsageReader.UsageQuery query = new UsageReader.UsageQuery(START, START.plusSeconds(60L * MINUTES),
                EnumSet.of(UsageReader.GroupBy.BACKEND), UsageReader.Bucket.MINUTE);
        List<UsageReader.UsageRow> streamed = new ArrayList<>();
        reader.streamUsage(query, streamed::add);

        assertEquals(MINUTES * BACKENDS, streamed.size());
        assertEquals(reader.usage(query), streamed);
        for (int i = 0; i < streamed.size(); i++) {
            UsageReader.UsageRow row = streamed.get(i);
            int minute = i / BACKENDS;
            int backend = i % BACKENDS + 1;
            assertEquals(START.plusSeconds(60L * minute), row.bucket(), "row " + i);
            assertEquals("backend-" + backend, row.backend(), "row " + i);
            assertEquals(null, row.app());
            assertEquals(minute + backend, row.requests(), "row " + i);
        }
    }

    @Test
    void givenHourBuckets_whenStreamed_thenTheSameAsUsage() {
        UsageReader.UsageQuery query = new UsageReader.UsageQuery(START, START.plusSeconds(60L * MINUTES),
                Set.of(), UsageReader.Bucket.HOUR);
        List<UsageReader.UsageRow> streamed = new ArrayList<>();
        reader.streamUsage(query, streamed::add);

        assertEquals(25, streamed.size());
        assertEquals(reader.usage(query), streamed);
    }

    @Test
    void givenASinkThatFails_thenTheStreamStopsAndTheFailureIsRethrown() {
        UsageReader.UsageQuery query = new UsageReader.UsageQuery(START, START.plusSeconds(60L * MINUTES),
                EnumSet.of(UsageReader.GroupBy.BACKEND), UsageReader.Bucket.MINUTE);
        AtomicInteger seen = new AtomicInteger();
        IllegalStateException thrown = assertThrows(IllegalStateException.class, () -> reader.streamUsage(query, row -> {
            if (seen.incrementAndGet() == 10) {
                throw new IllegalStateException("client gone");
            }
        }));
        assertEquals("client gone", thrown.getMessage());
        assertEquals(10, seen.get());
        // the connection went back to the pool in a usable state
        assertEquals(1, reader.usage(new UsageReader.UsageQuery(START, START.plusSeconds(60),
                Set.of(), UsageReader.Bucket.MINUTE)).size());
    }
}
