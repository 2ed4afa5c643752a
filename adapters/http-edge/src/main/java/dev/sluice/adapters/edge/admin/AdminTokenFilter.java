package dev.sluice.adapters.edge.admin;

import io.micronaut.context.annotation.Context;
import io.micronaut.context.annotation.Value;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.HttpStatus;
import io.micronaut.http.annotation.RequestFilter;
import io.micronaut.http.annotation.ServerFilter;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;

/** Every admin API call must carry {@code Authorization: Bearer <admin token>}; compared in constant time. */
@ServerFilter("/admin/api/**")
@Context // a missing or short token stops the start instead of failing every admin call
final class AdminTokenFilter {
    private final byte[] token;

    AdminTokenFilter(@Value("${sluice.admin.token}") String token) {
        if (token == null || token.length() < 16) {
            throw new IllegalStateException("sluice.admin.token must be set and at least 16 characters long");
        }
        this.token = token.getBytes(StandardCharsets.UTF_8);
    }

    @RequestFilter
    @Nullable
    HttpResponse<?> authenticate(HttpRequest<?> request) {
        String header = request.getHeaders().get("Authorization");
        if (header != null && header.length() > 7 && header.regionMatches(true, 0, "Bearer ", 0, 7)) {
            byte[] presented = header.substring(7).strip().getBytes(StandardCharsets.UTF_8);
            if (MessageDigest.isEqual(presented, token)) {
                return null;
            }
        }
        return HttpResponse.status(HttpStatus.UNAUTHORIZED)
                .header("WWW-Authenticate", "Bearer")
                .body(AdminViews.ErrorResponse.of(401, "invalid_admin_token",
                        "Send the admin token as 'Authorization: Bearer <token>'.", null));
    }
}
