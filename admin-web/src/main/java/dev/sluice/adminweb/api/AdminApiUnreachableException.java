package dev.sluice.adminweb.api;

/** The admin API could not be reached at all (refused, timed out, no address configured). */
public class AdminApiUnreachableException extends RuntimeException {

    private final String where;

    public AdminApiUnreachableException(String where, Throwable cause) {
        super("Could not reach the admin API at " + where + ".", cause, false, false);
        this.where = where;
    }

    public String where() {
        return where;
    }
}
