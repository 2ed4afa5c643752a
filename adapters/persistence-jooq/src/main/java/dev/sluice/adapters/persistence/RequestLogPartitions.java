package dev.sluice.adapters.persistence;

import org.jooq.DSLContext;
import org.jooq.impl.DSL;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Keeps the day partitions of {@code request_log} (V6): one partition {@code request_log_YYYYMMDD} per UTC day,
 * plus {@code request_log_default} for rows of a day without its own partition. {@link #maintain} creates the
 * partitions of today and the next {@code daysAhead} days, and drops the partitions whose whole day ended
 * before {@code now - retention} (and deletes such rows from the default partition). {@code usage_minute} is
 * not touched: the aggregates outlive the raw log. Idempotent, and safe to run from several instances at
 * once (each step takes a transaction-scoped advisory lock).
 *
 * <p>A day that has rows in the default partition (its partition was missing when they were written) is
 * given its partition by moving those rows: a new table is filled from the default partition and attached,
 * in one transaction; should a concurrent write land in the default partition meanwhile, the attach fails,
 * everything rolls back and the next run tries again.
 */
public final class RequestLogPartitions {
    static final String PARENT = "request_log";
    static final String DEFAULT_PARTITION = "request_log_default";
    private static final Pattern DAY_PARTITION = Pattern.compile("request_log_(\\d{8})");
    private static final DateTimeFormatter DAY = DateTimeFormatter.BASIC_ISO_DATE;
    private static final DateTimeFormatter BOUND = DateTimeFormatter.ofPattern("yyyy-MM-dd' 00:00:00+00'");
    private static final String LOCK = "select pg_advisory_xact_lock(hashtext('sluice.request_log_partitions'))";
    private static final Logger LOG = LoggerFactory.getLogger(RequestLogPartitions.class);

    private final DSLContext dsl;
    private final Duration retention;
    private final int daysAhead;

    /**
     * @param retention how long raw request-log rows are kept (at least one day); a partition is dropped once its
     *                  whole day ended more than this long ago
     * @param daysAhead how many days after today get their partition in advance (0..366)
     */
    public RequestLogPartitions(DSLContext dsl, Duration retention, int daysAhead) {
        this.dsl = Objects.requireNonNull(dsl, "dsl");
        Objects.requireNonNull(retention, "retention");
        if (retention.compareTo(Duration.ofDays(1)) < 0) {
            throw new IllegalArgumentException("the request-log retention must be at least one day, got " + retention);
        }
        if (daysAhead < 0 || daysAhead > 366) {
            throw new IllegalArgumentException("daysAhead must be between 0 and 366, got " + daysAhead);
        }
        this.retention = retention;
        this.daysAhead = daysAhead;
    }

    /** Creates the partitions of [today, today + daysAhead] (UTC) that are missing and drops the expired ones. */
    public void maintain(Instant now) {
        Objects.requireNonNull(now, "now");
        LocalDate today = LocalDate.ofInstant(now, ZoneOffset.UTC);
        Instant cutoff = now.minus(retention);
        // the first day that is kept: every day before it ended at or before the cutoff
        LocalDate firstKept = LocalDate.ofInstant(cutoff, ZoneOffset.UTC);
        Set<LocalDate> existing = dayPartitions();
        for (int i = 0; i <= daysAhead; i++) {
            LocalDate day = today.plusDays(i);
            if (!existing.contains(day) && !day.isBefore(firstKept)) {
                create(day);
            }
        }
        for (LocalDate day : existing) {
            if (day.isBefore(firstKept)) {
                drop(day);
            }
        }
        purgeDefault(firstKept);
    }

    /** The days that have a partition now. */
    Set<LocalDate> dayPartitions() {
        // each step in its own transaction: with a transaction-aware DataSource there is no connection otherwise
        List<String> names = dsl.transactionResult(cfg -> cfg.dsl()
                .fetch("select c.relname::text from pg_inherits i join pg_class c on c.oid = i.inhrelid"
                        + " where i.inhparent = to_regclass({0})", DSL.inline(PARENT))
                .getValues(0, String.class));
        Set<LocalDate> days = new TreeSet<>();
        for (String name : names) {
            Matcher m = DAY_PARTITION.matcher(name);
            if (m.matches()) {
                try {
                    days.add(LocalDate.parse(m.group(1), DAY));
                } catch (DateTimeParseException e) {
                    LOG.warn("request log: ignoring partition {} (not a date)", name);
                }
            }
        }
        return days;
    }

    static String partitionName(LocalDate day) {
        return PARENT + "_" + DAY.format(day);
    }

    private void create(LocalDate day) {
        String name = partitionName(day);
        OffsetDateTime from = day.atStartOfDay().atOffset(ZoneOffset.UTC);
        OffsetDateTime to = from.plusDays(1);
        try {
            dsl.transaction(cfg -> {
                DSLContext tx = cfg.dsl();
                tx.fetch(LOCK);
                boolean strays = tx.fetchExists(DSL.selectOne().from(DSL.table(DSL.name(DEFAULT_PARTITION)))
                        .where(DSL.field(DSL.name("started_at"), OffsetDateTime.class).ge(from))
                        .and(DSL.field(DSL.name("started_at"), OffsetDateTime.class).lt(to)));
                if (!strays) {
                    tx.execute("create table if not exists {0} partition of {1} for values from ({2}) to ({3})",
                            DSL.name(name), DSL.name(PARENT), DSL.inline(BOUND.format(from)), DSL.inline(BOUND.format(to)));
                    return;
                }
                LOG.warn("request log: rows of {} are in the default partition; moving them to the new partition {}", day, name);
                tx.execute("create table {0} (like {1} including defaults including constraints)", DSL.name(name), DSL.name(PARENT));
                tx.execute("with moved as (delete from {0} where started_at >= {1} and started_at < {2} returning *)"
                                + " insert into {3} select * from moved",
                        DSL.name(DEFAULT_PARTITION), DSL.val(from), DSL.val(to), DSL.name(name));
                tx.execute("alter table {0} attach partition {1} for values from ({2}) to ({3})",
                        DSL.name(PARENT), DSL.name(name), DSL.inline(BOUND.format(from)), DSL.inline(BOUND.format(to)));
            });
            LOG.info("request log: partition {} is ready", name);
        } catch (RuntimeException e) {
            LOG.warn("request log: cannot create partition {} ({}); retrying at the next maintenance", name,
                    DatabaseFailures.describe(e));
        }
    }

    private void drop(LocalDate day) {
        String name = partitionName(day);
        try {
            dsl.transaction(cfg -> {
                DSLContext tx = cfg.dsl();
                tx.fetch(LOCK);
                tx.execute("drop table if exists {0}", DSL.name(name));
            });
            LOG.info("request log: dropped partition {} (older than the retention of {})", name, retention);
        } catch (RuntimeException e) {
            LOG.warn("request log: cannot drop partition {} ({}); retrying at the next maintenance", name,
                    DatabaseFailures.describe(e));
        }
    }

    /** Deletes rows of expired days from the default partition (empty in practice). */
    private void purgeDefault(LocalDate firstKept) {
        OffsetDateTime before = firstKept.atStartOfDay().atOffset(ZoneOffset.UTC);
        try {
            int deleted = dsl.transactionResult(cfg -> cfg.dsl()
                    .execute("delete from {0} where started_at < {1}", DSL.name(DEFAULT_PARTITION), DSL.val(before)));
            if (deleted > 0) {
                LOG.info("request log: deleted {} expired rows from {}", deleted, DEFAULT_PARTITION);
            }
        } catch (RuntimeException e) {
            LOG.warn("request log: cannot purge {} ({})", DEFAULT_PARTITION, DatabaseFailures.describe(e));
        }
    }
}
