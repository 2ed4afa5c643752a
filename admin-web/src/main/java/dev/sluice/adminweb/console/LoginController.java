package dev.sluice.adminweb.console;

import dev.sluice.adminweb.api.AdminApi;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.HttpStatus;
import io.micronaut.http.MediaType;
import io.micronaut.http.MutableHttpResponse;
import io.micronaut.http.annotation.Body;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Get;
import io.micronaut.http.annotation.Post;
import io.micronaut.http.cookie.Cookie;
import io.micronaut.http.cookie.SameSite;
import io.micronaut.scheduling.TaskExecutors;
import io.micronaut.scheduling.annotation.ExecuteOn;
import io.micronaut.views.ModelAndView;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Login and logout. Only hashing and a MAC happen here: nothing blocks, so it stays on the
 * event loop.
 */
@Controller(ConsolePaths.ROOT)
public class LoginController {

    private static final Logger LOG = LoggerFactory.getLogger(LoginController.class);

    private final ConsoleSession session;
    private final ConsolePages pages;
    private final AdminApi api;

    public LoginController(ConsoleSession session, ConsolePages pages, AdminApi api) {
        this.session = session;
        this.pages = pages;
        this.api = api;
    }

    /** The login form, or straight to the console when the session is still good. */
    @Get(value = "/login", produces = MediaType.TEXT_HTML)
    public HttpResponse<?> form(HttpRequest<?> request) {
        if (session.valid(sessionCookie(request), Instant.now())) {
            return HttpResponse.seeOther(ConsolePaths.ROOT_URI);
        }
        return HttpResponse.ok(loginView(null));
    }

    /** Checks the token; on success sets the session cookie and goes to the console. */
    @Post(value = "/login", consumes = MediaType.APPLICATION_FORM_URLENCODED, produces = MediaType.TEXT_HTML)
    @ExecuteOn(TaskExecutors.BLOCKING)
    public HttpResponse<?> login(HttpRequest<?> request, @Body("token") @Nullable String token) {
        Optional<ConsoleSession.User> user = signIn(token);
        if (user.isEmpty()) {
            LOG.warn("Console login refused from {}", request.getRemoteAddress());
            String error = session.configured()
                    ? "That token is not an admin token of this gateway."
                    : "No admin token is configured on this gateway (sluice.admin.token).";
            return HttpResponse.status(HttpStatus.UNAUTHORIZED).body(loginView(error));
        }
        Cookie cookie = Cookie.of(ConsoleSession.COOKIE, session.issue(Instant.now(), user.get()))
                .path(ConsolePaths.ROOT)
                .httpOnly(true)
                .sameSite(SameSite.Strict)
                .secure(request.isSecure())
                .maxAge(session.ttl());
        return HttpResponse.seeOther(ConsolePaths.ROOT_URI).cookie(cookie);
    }

    /**
     * The console's own admin token signs in locally; any other token is shown to the admin API,
     * which knows the named admin and viewer tokens ({@code GET /whoami}).
     */
    private Optional<ConsoleSession.User> signIn(@Nullable String token) {
        if (!session.configured() || token == null || token.isBlank()) {
            return Optional.empty();
        }
        if (session.tokenMatches(token)) {
            return Optional.of(new ConsoleSession.User(ConsoleSession.MAIN_USER, false));
        }
        return api.whoAmI(token.strip()).map(me -> new ConsoleSession.User(String.valueOf(me.get("name")),
                "viewer".equals(me.get("role"))));
    }

    /** Removes the session cookie from the browser (a form post with the CSRF token, like every change). */
    @Post(value = "/logout", consumes = MediaType.APPLICATION_FORM_URLENCODED)
    public HttpResponse<?> logout(HttpRequest<?> request, @Nullable @Body Map<String, String> form) {
        pages.requireCsrfOnly(request, form == null ? Map.of() : form);
        Cookie cleared = Cookie.of(ConsoleSession.COOKIE, "")
                .path(ConsolePaths.ROOT)
                .httpOnly(true)
                .sameSite(SameSite.Strict)
                .secure(request.isSecure())
                .maxAge(0);
        MutableHttpResponse<?> response = HttpResponse.seeOther(ConsolePaths.LOGIN_URI);
        return response.cookie(cleared);
    }

    static Optional<String> sessionCookie(HttpRequest<?> request) {
        return ConsolePages.sessionValue(request);
    }

    private ModelAndView<Map<String, Object>> loginView(@Nullable String error) {
        Map<String, Object> model = new HashMap<>();
        model.put("authenticated", false);
        model.put("nav", "login");
        model.put("error", error);
        model.put("configured", session.configured());
        return new ModelAndView<>("login", model);
    }
}
