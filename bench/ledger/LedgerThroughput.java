import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.sluice.adapters.persistence.JooqRequestLog;
import dev.sluice.domain.openai.Endpoint;
import dev.sluice.domain.openai.Usage;
import dev.sluice.domain.usage.RequestRecord;
import org.jooq.DSLContext;
import org.jooq.SQLDialect;
import org.jooq.impl.DSL;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.UUID;

/**
 * Ledger throughput: how many request-log rows per second the background writer (JooqRequestLog, default
 * flush interval and batch size) stores. Appends ROWS records as fast as possible from the calling thread,
 * then waits for flush(); the clock runs from the first append to the end of the flush.
 *
 * Usage: java -cp bootstrap/target/sluice.jar bench/ledger/LedgerThroughput.java JDBC_URL USER ROWS [BATCH_SIZE]
 */
public class LedgerThroughput {
    public static void main(String[] args) throws Exception {
        System.setProperty("org.jooq.no-logo", "true");
        System.setProperty("org.jooq.no-tips", "true");
        String url = args[0];
        String user = args[1];
        int rows = Integer.parseInt(args[2]);
        int batchSize = args.length > 3 ? Integer.parseInt(args[3]) : JooqRequestLog.DEFAULT_BATCH_SIZE;
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl(url);
        config.setUsername(user);
        config.setPassword("");
        config.setMaximumPoolSize(4);
        try (HikariDataSource dataSource = new HikariDataSource(config)) {
            DSLContext dsl = DSL.using(dataSource, SQLDialect.POSTGRES);
            UUID[] apps = new UUID[100];
            UUID[] backends = new UUID[10];
            for (int i = 0; i < apps.length; i++) apps[i] = UUID.randomUUID();
            for (int i = 0; i < backends.length; i++) backends[i] = UUID.randomUUID();
            String run = UUID.randomUUID().toString().substring(0, 8);

            // warm-up: JIT, connections, jOOQ's first statement
            try (JooqRequestLog warm = new JooqRequestLog(dsl, JooqRequestLog.DEFAULT_FLUSH_INTERVAL, batchSize)) {
                for (int i = 0; i < 20_000; i++) warm.append(record("warm-" + run + "-" + i, i, apps, backends));
                warm.flush(Duration.ofMinutes(5));
            }

            // records built beforehand, so the clock measures the writer, not the record construction
            RequestRecord[] records = new RequestRecord[rows];
            for (int i = 0; i < rows; i++) records[i] = record("bench-" + run + "-" + i, i, apps, backends);

            try (JooqRequestLog log = new JooqRequestLog(dsl, JooqRequestLog.DEFAULT_FLUSH_INTERVAL, batchSize)) {
                long start = System.nanoTime();
                for (RequestRecord r : records) log.append(r);
                long appended = System.nanoTime();
                if (!log.flush(Duration.ofMinutes(5))) {
                    throw new IllegalStateException("not flushed within 5 minutes, " + log.pending() + " pending");
                }
                long end = System.nanoTime();
                double seconds = (end - start) / 1e9;
                System.out.printf("appended %d records in %.3f s (%.0f appends/s on the caller)%n",
                        rows, (appended - start) / 1e9, rows / ((appended - start) / 1e9));
                System.out.printf("stored %d rows (batch size %d) in %.3f s: %.0f rows/s%n",
                        log.written(), batchSize, seconds, rows / seconds);
            }
        }
    }

    private static RequestRecord record(String id, int i, UUID[] apps, UUID[] backends) {
        int app = i % apps.length;
        int backend = (i / apps.length) % backends.length;
        boolean error = i % 50 == 0;
        return new RequestRecord(id, Instant.now(), Endpoint.CHAT_COMPLETIONS,
                Optional.of(apps[app]), Optional.of("app-" + app), Optional.of("model-" + (backend % 3)),
                Optional.of(backends[backend]), Optional.of("backend-" + backend),
                error ? 503 : 200, error ? Optional.of("upstream_error") : Optional.empty(),
                120_000 + (i % 1000), OptionalLong.of(40_000), error ? Optional.empty() : Optional.of(new Usage(120, 80, 200)),
                i % 2 == 0, false, List.of(), Optional.of(UUID.randomUUID()), OptionalLong.of(0), false);
    }
}
