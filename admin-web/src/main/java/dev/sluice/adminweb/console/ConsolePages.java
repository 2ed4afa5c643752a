package dev.sluice.adminweb.console;

import dev.sluice.adminweb.api.AdminApi;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.cookie.Cookie;
import io.micronaut.views.ModelAndView;
import jakarta.inject.Singleton;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * What every console page shares: the model every template expects (signed in, the active nav
 * entry, the CSRF token, the formatter) and the CSRF check of every state-changing request.
 */
@Singleton
public class ConsolePages {

    /** The form field (and header, for scripts) that carries the CSRF token. */
    public static final String CSRF_FIELD = "_csrf";
    public static final String CSRF_HEADER = "X-CSRF-Token";
    /** The request attribute holding the signed-in {@link ConsoleSession.User}. */
    public static final String USER_ATTRIBUTE = "sluice.console.user";

    private final ConsoleSession session;
    private final AdminApi api;

    public ConsolePages(ConsoleSession session, AdminApi api) {
        this.session = session;
        this.api = api;
    }

    /** The base model of a signed-in page; {@code nav} names the active navigation entry. */
    public Map<String, Object> model(HttpRequest<?> request, String nav) {
        Map<String, Object> model = new HashMap<>();
        model.put("authenticated", true);
        model.put("nav", nav);
        model.put("fmt", Fmt.INSTANCE);
        model.put("apiUrl", api.describe());
        model.put("csrf", sessionValue(request).map(session::csrfToken).orElse(""));
        ConsoleSession.User user = user(request);
        model.put("user", user == null ? "" : user.name());
        model.put("viewer", user != null && user.viewer());
        return model;
    }

    /** A view of the layout with this template and model. */
    public static ModelAndView<Map<String, Object>> view(String template, Map<String, Object> model) {
        return new ModelAndView<>(template, model);
    }

    /**
     * Refuses a state-changing request whose form field (or header) is not this session's CSRF token,
     * or that comes from a viewer's session.
     *
     * @throws CsrfRejectedException answered with 403 by {@link ConsoleErrorHandler}
     * @throws ReadOnlySessionException likewise
     */
    public void requireCsrf(HttpRequest<?> request, @Nullable Map<String, String> form) {
        requireCsrfOnly(request, form);
        ConsoleSession.User user = user(request);
        if (user != null && user.viewer()) {
            throw new ReadOnlySessionException(user.name());
        }
    }

    /** The CSRF check alone, for what a viewer may post too (signing out). */
    public void requireCsrfOnly(HttpRequest<?> request, @Nullable Map<String, String> form) {
        String submitted = form == null ? null : form.get(CSRF_FIELD);
        if (submitted == null) {
            submitted = request.getHeaders().get(CSRF_HEADER);
        }
        if (!session.csrfMatches(sessionValue(request).orElse(null), submitted)) {
            throw new CsrfRejectedException();
        }
    }

    private static @Nullable ConsoleSession.User user(HttpRequest<?> request) {
        return request.getAttribute(USER_ATTRIBUTE, ConsoleSession.User.class).orElse(null);
    }

    static Optional<String> sessionValue(HttpRequest<?> request) {
        return request.getCookies().findCookie(ConsoleSession.COOKIE).map(Cookie::getValue);
    }
}
