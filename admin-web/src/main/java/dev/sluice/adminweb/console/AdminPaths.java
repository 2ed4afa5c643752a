package dev.sluice.adminweb.console;

import io.micronaut.core.annotation.Nullable;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;

/** Path segments taken from a console URL, encoded before they go into an admin API path. */
final class AdminPaths {

    private AdminPaths() {
    }

    static String segment(@Nullable String value) {
        return URLEncoder.encode(value == null ? "" : value, StandardCharsets.UTF_8).replace("+", "%20");
    }
}
