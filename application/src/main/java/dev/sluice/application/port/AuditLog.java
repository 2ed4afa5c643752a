package dev.sluice.application.port;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

/** Every change made through the admin API: who, when, from where, what, and the state before and after. */
public interface AuditLog {
    /**
     * One change. {@code before} and {@code after} are JSON documents of the target as the admin API
     * shows it (secrets masked, key material never included); empty where there was none
     * (before a create, after a delete).
     */
    record Entry(Instant at, String actor, String address, String action, String targetType, String targetId,
                 Optional<String> targetName, Optional<String> before, Optional<String> after) {
    }

    void record(Entry entry);

    /** Entries in {@code [from, to)}, newest first, at most {@code limit}; {@code targetType} keeps only those of one type. */
    List<Entry> find(Instant from, Instant to, Optional<String> targetType, int limit);
}
