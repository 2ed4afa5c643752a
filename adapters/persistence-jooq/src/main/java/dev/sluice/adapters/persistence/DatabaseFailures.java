package dev.sluice.adapters.persistence;

import org.jooq.exception.DataAccessException;

/** Describes a database failure for a log line without the data involved. */
final class DatabaseFailures {
    private static final int MAX_MESSAGE = 200;

    private DatabaseFailures() {
    }

    /**
     * The root cause's type, the SQLSTATE and the first line of the root cause's message only:
     * PostgreSQL's detail lines (and jOOQ's SQL text) can quote the rows being written.
     */
    static String describe(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        StringBuilder text = new StringBuilder(root.getClass().getSimpleName());
        if (e instanceof DataAccessException access && access.sqlState() != null && !"00000".equals(access.sqlState())) {
            text.append(" SQLSTATE ").append(access.sqlState());
        }
        String message = root.getMessage();
        if (message != null && !message.isBlank()) {
            String firstLine = message.strip().lines().findFirst().orElse("");
            text.append(": ").append(firstLine.length() > MAX_MESSAGE ? firstLine.substring(0, MAX_MESSAGE) + "..." : firstLine);
        }
        return text.toString();
    }
}
