package dev.sluice.adminweb.console;

import dev.sluice.adminweb.api.AdminApiException;
import dev.sluice.adminweb.api.AdminApiUnreachableException;
import io.micronaut.context.annotation.Requires;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.HttpStatus;
import io.micronaut.http.annotation.Produces;
import io.micronaut.http.server.exceptions.ExceptionHandler;
import io.micronaut.views.ModelAndView;
import jakarta.inject.Singleton;
import java.util.HashMap;
import java.util.Map;

/**
 * Turns what can go wrong behind a console page into a readable page in the console's layout,
 * never a stack trace: the admin API unreachable (502, with a banner), an error answer from it
 * (its own message and status), a request without the CSRF token (403).
 */
final class ConsoleErrorHandler {

    private ConsoleErrorHandler() {
    }

    static ModelAndView<Map<String, Object>> page(HttpRequest<?> request, String title, String message, boolean apiDown) {
        Map<String, Object> model = new HashMap<>();
        model.put("authenticated", ConsolePages.sessionValue(request).isPresent());
        model.put("nav", "");
        model.put("fmt", Fmt.INSTANCE);
        model.put("csrf", "");
        model.put("errorTitle", title);
        model.put("errorMessage", message);
        model.put("apiDown", apiDown);
        return new ModelAndView<>("error", model);
    }

    @Produces
    @Singleton
    @Requires(classes = ExceptionHandler.class)
    static final class Unreachable implements ExceptionHandler<AdminApiUnreachableException, HttpResponse<?>> {
        @Override
        public HttpResponse<?> handle(HttpRequest request, AdminApiUnreachableException e) {
            return HttpResponse.status(HttpStatus.BAD_GATEWAY).body(page(request, "The admin API is unreachable",
                    e.getMessage() + " The console shows the gateway's data through it; check that the gateway runs"
                            + " and that sluice.console.api-url points at it.", true));
        }
    }

    @Produces
    @Singleton
    @Requires(classes = ExceptionHandler.class)
    static final class ApiAnswer implements ExceptionHandler<AdminApiException, HttpResponse<?>> {
        @Override
        public HttpResponse<?> handle(HttpRequest request, AdminApiException e) {
            int status = e.status() >= 400 && e.status() < 600 ? e.status() : 502;
            String title = e.notFound() ? "Not found" : "The admin API refused this";
            return HttpResponse.status(HttpStatus.valueOf(status == 401 ? 502 : status))
                    .body(page(request, title, status == 401
                            ? "The admin API did not accept the console's admin token. " + e.getMessage()
                            : e.getMessage(), false));
        }
    }

    @Produces
    @Singleton
    @Requires(classes = ExceptionHandler.class)
    static final class Csrf implements ExceptionHandler<CsrfRejectedException, HttpResponse<?>> {
        @Override
        public HttpResponse<?> handle(HttpRequest request, CsrfRejectedException e) {
            return HttpResponse.status(HttpStatus.FORBIDDEN).body(page(request, "Request refused", e.getMessage(), false));
        }
    }
}
