package dev.sluice.adminweb.console;

import dev.sluice.adminweb.api.AdminApi;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.HttpStatus;
import io.micronaut.http.MediaType;
import io.micronaut.http.annotation.RequestFilter;
import io.micronaut.http.annotation.ServerFilter;
import java.time.Instant;

/**
 * Every console path but the sign-in page and the static assets needs a valid session: pages
 * redirect to sign-in, the JSON behind charts answers 401. Runs before any controller, so no page
 * can forget the check.
 */
@ServerFilter({ConsolePaths.ROOT, ConsolePaths.ROOT + "/**"})
public class ConsoleAuthFilter {

    private final ConsoleSession session;

    public ConsoleAuthFilter(ConsoleSession session) {
        this.session = session;
    }

    @RequestFilter
    @Nullable
    public HttpResponse<?> requireSession(HttpRequest<?> request) {
        String path = request.getPath();
        var user = session.user(ConsolePages.sessionValue(request).orElse(null), Instant.now());
        if (user.isPresent()) {
            request.setAttribute(ConsolePages.USER_ATTRIBUTE, user.get());
            request.setAttribute(AdminApi.ACTOR_ATTRIBUTE, user.get().actor());
            return null;
        }
        if (ConsolePaths.open(path)) {
            return null;
        }
        if (path.startsWith(ConsolePaths.DATA + "/")) {
            return HttpResponse.status(HttpStatus.UNAUTHORIZED).contentType(MediaType.APPLICATION_JSON_TYPE)
                    .body("{\"error\":{\"message\":\"Sign in to the console first.\",\"type\":\"authentication_error\","
                            + "\"code\":\"not_signed_in\",\"param\":null}}");
        }
        return HttpResponse.seeOther(ConsolePaths.LOGIN_URI);
    }
}
