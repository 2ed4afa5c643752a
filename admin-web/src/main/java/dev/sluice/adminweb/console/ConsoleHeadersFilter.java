package dev.sluice.adminweb.console;

import io.micronaut.http.HttpHeaders;
import io.micronaut.http.MutableHttpResponse;
import io.micronaut.http.annotation.ResponseFilter;
import io.micronaut.http.annotation.ServerFilter;

/**
 * Browser hardening for every console response: no framing, no sniffing, no referrer to other
 * sites, only the console's own scripts, stylesheets and forms, and no caching of pages that show configuration.
 */
@ServerFilter({ConsolePaths.ROOT, ConsolePaths.ROOT + "/**"})
public class ConsoleHeadersFilter {

    static final String CSP = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
            + "connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

    /** Adds the headers unless a controller already chose them. */
    @ResponseFilter
    public void headers(MutableHttpResponse<?> response) {
        HttpHeaders headers = response.getHeaders();
        if (!headers.contains(HttpHeaders.CACHE_CONTROL)) {
            response.header(HttpHeaders.CACHE_CONTROL, "no-store");
        }
        response.header("Content-Security-Policy", CSP);
        response.header("X-Frame-Options", "DENY");
        response.header("X-Content-Type-Options", "nosniff");
        // same-origin, not no-referrer: with no-referrer Chromium sends "Origin: null" on the console's own
        // form posts, which the server's drive-by-localhost protection refuses (403)
        response.header("Referrer-Policy", "same-origin");
    }
}
