package dev.sluice.adapters.persistence;

import dev.sluice.application.port.DatabaseProbe;
import org.jooq.DSLContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Answers whether the database runs a {@code select 1} within the timeout. Getting a connection to
 * a dead server can hang (TCP connect, the pool's wait), so the query runs on a virtual thread and
 * the caller waits for it at most the timeout.
 */
public final class JdbcDatabaseProbe implements DatabaseProbe {
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(2);
    private static final Logger LOG = LoggerFactory.getLogger(JdbcDatabaseProbe.class);

    private final DSLContext dsl;
    private final Duration timeout;

    public JdbcDatabaseProbe(DSLContext dsl) {
        this(dsl, DEFAULT_TIMEOUT);
    }

    public JdbcDatabaseProbe(DSLContext dsl, Duration timeout) {
        this.dsl = Objects.requireNonNull(dsl, "dsl");
        if (timeout == null || timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("the probe timeout must be positive");
        }
        this.timeout = timeout;
    }

    @Override
    public boolean reachable() {
        FutureTask<Boolean> probe = new FutureTask<>(this::selectOne);
        try {
            Thread.ofVirtual().name("sluice-database-probe").start(probe);
            return probe.get(timeout.toNanos(), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            LOG.debug("database probe: no answer within {} ms", timeout.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException e) {
            LOG.debug("database probe failed: {}", DatabaseFailures.describe(e.getCause()));
        } catch (RuntimeException e) {
            LOG.debug("database probe failed: {}", DatabaseFailures.describe(e));
        }
        probe.cancel(true);
        return false;
    }

    private boolean selectOne() {
        int seconds = (int) Math.max(1, (timeout.toMillis() + 999) / 1000);
        Integer one = dsl.transactionResult(cfg -> cfg.dsl().selectOne().queryTimeout(seconds).fetchOne(0, Integer.class));
        return one != null && one == 1;
    }
}
