package dev.sluice.adminweb.console;

/** A state-changing console request without this session's CSRF token. */
public class CsrfRejectedException extends RuntimeException {

    public CsrfRejectedException() {
        super("The form's security token is missing or out of date. Reload the page and try again.", null, false, false);
    }
}
