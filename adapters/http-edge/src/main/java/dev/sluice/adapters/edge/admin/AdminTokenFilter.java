package dev.sluice.adapters.edge.admin;

import io.micronaut.context.annotation.Context;
import io.micronaut.context.annotation.Value;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.http.HttpMethod;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.HttpStatus;
import io.micronaut.http.annotation.RequestFilter;
import io.micronaut.http.annotation.ServerFilter;

import java.util.Optional;
import java.util.Set;

/**
 * Every admin API call must carry {@code Authorization: Bearer <token>} of one of the
 * {@link AdminTokens}; a viewer's token only reads (GET, HEAD). The caller is kept on the request
 * for the audit log.
 */
@ServerFilter("/admin/api/**")
@Context // a missing or short token stops the start instead of failing every admin call
final class AdminTokenFilter {
    static final String CALLER = "sluice.admin.caller";
    private static final Set<HttpMethod> READS = Set.of(HttpMethod.GET, HttpMethod.HEAD, HttpMethod.OPTIONS);

    private final AdminTokens tokens;

    AdminTokenFilter(@Value("${sluice.admin.token}") String token, @Value("${sluice.admin.tokens:}") String named) {
        this.tokens = AdminTokens.of(token, named);
    }

    @RequestFilter
    @Nullable
    HttpResponse<?> authenticate(HttpRequest<?> request) {
        String header = request.getHeaders().get("Authorization");
        Optional<AdminTokens.Caller> caller = Optional.empty();
        if (header != null && header.length() > 7 && header.regionMatches(true, 0, "Bearer ", 0, 7)) {
            caller = tokens.match(header.substring(7).strip());
        }
        if (caller.isEmpty()) {
            return HttpResponse.status(HttpStatus.UNAUTHORIZED)
                    .header("WWW-Authenticate", "Bearer")
                    .body(AdminViews.ErrorResponse.of(401, "invalid_admin_token",
                            "Send an admin token as 'Authorization: Bearer <token>'.", null));
        }
        if (caller.get().role() == AdminTokens.Role.VIEWER && !READS.contains(request.getMethod())) {
            return HttpResponse.status(HttpStatus.FORBIDDEN)
                    .body(AdminViews.ErrorResponse.of(403, "admin_read_only",
                            "The token '" + caller.get().name() + "' is a viewer's: it can read but not change anything.", null));
        }
        request.setAttribute(CALLER, caller.get());
        return null;
    }
}
