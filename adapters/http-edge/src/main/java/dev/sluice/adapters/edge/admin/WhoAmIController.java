package dev.sluice.adapters.edge.admin;

import io.micronaut.http.HttpRequest;
import io.micronaut.http.MediaType;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Get;
import io.micronaut.serde.annotation.Serdeable;

import java.util.Locale;

/** {@code GET /admin/api/v1/whoami}: the name and role of the token the call carries (the console signs in with it). */
@Controller(value = "/admin/api/v1/whoami", produces = MediaType.APPLICATION_JSON)
final class WhoAmIController {

    @Serdeable
    record Me(String name, String role) {
    }

    @Get
    Me whoAmI(HttpRequest<?> request) {
        AdminTokens.Caller caller = request.getAttribute(AdminTokenFilter.CALLER, AdminTokens.Caller.class)
                .orElseThrow(() -> new IllegalStateException("the admin token filter did not run"));
        return new Me(caller.name(), caller.role().name().toLowerCase(Locale.ROOT));
    }
}
