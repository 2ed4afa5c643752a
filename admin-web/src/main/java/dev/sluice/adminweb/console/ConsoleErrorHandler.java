package dev.sluice.adminweb.console;

import dev.sluice.adminweb.api.AdminApiException;
import dev.sluice.adminweb.api.AdminApiUnreachableException;
import io.micronaut.context.annotation.Requires;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.HttpStatus;
import io.micronaut.http.MediaType;
import io.micronaut.http.annotation.Produces;
import io.micronaut.http.server.exceptions.ExceptionHandler;
import io.micronaut.core.io.Writable;
import io.micronaut.views.ModelAndView;
import io.micronaut.views.ModelAndViewRenderer;
import jakarta.inject.Singleton;
import java.io.IOException;
import java.io.StringWriter;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Turns what can go wrong behind a console page into a readable page in the console's layout,
 * never a stack trace: the admin API unreachable (502, with a banner), an error answer from it
 * (its own message and status), a request without the CSRF token (403).
 */
@Singleton
final class ConsoleErrorHandler {

    private final ModelAndViewRenderer<Map<String, Object>, HttpRequest<?>> renderer;

    ConsoleErrorHandler(ModelAndViewRenderer<Map<String, Object>, HttpRequest<?>> renderer) {
        this.renderer = renderer;
    }

    /** The error page rendered here: the views filter does not see what an exception handler answers. */
    HttpResponse<?> page(HttpRequest<?> request, HttpStatus status, String title, String message, boolean apiDown) {
        Map<String, Object> model = new HashMap<>();
        model.put("authenticated", ConsolePages.sessionValue(request).isPresent());
        model.put("nav", "");
        model.put("fmt", Fmt.INSTANCE);
        model.put("csrf", "");
        model.put("errorTitle", title);
        model.put("errorMessage", message);
        model.put("apiDown", apiDown);
        StringWriter out = new StringWriter();
        try {
            Optional<Writable> page = renderer.render(new ModelAndView<>("error", model), request, MediaType.TEXT_HTML);
            if (page.isEmpty()) {
                return HttpResponse.status(status).contentType(MediaType.TEXT_PLAIN_TYPE).body(title + ": " + message);
            }
            page.get().writeTo(out);
        } catch (IOException e) {
            return HttpResponse.status(status).contentType(MediaType.TEXT_PLAIN_TYPE).body(title + ": " + message);
        }
        return HttpResponse.status(status).contentType(MediaType.TEXT_HTML_TYPE).body(out.toString());
    }

    @Produces(MediaType.TEXT_HTML)
    @Singleton
    @Requires(classes = ExceptionHandler.class)
    static final class Unreachable implements ExceptionHandler<AdminApiUnreachableException, HttpResponse<?>> {
        private final ConsoleErrorHandler pages;

        Unreachable(ConsoleErrorHandler pages) {
            this.pages = pages;
        }

        @Override
        public HttpResponse<?> handle(HttpRequest request, AdminApiUnreachableException e) {
            return pages.page(request, HttpStatus.BAD_GATEWAY, "The admin API is unreachable",
                    e.getMessage() + " The console shows the gateway's data through it; check that the gateway runs"
                            + " and that sluice.console.api-url points at it.", true);
        }
    }

    @Produces(MediaType.TEXT_HTML)
    @Singleton
    @Requires(classes = ExceptionHandler.class)
    static final class ApiAnswer implements ExceptionHandler<AdminApiException, HttpResponse<?>> {
        private final ConsoleErrorHandler pages;

        ApiAnswer(ConsoleErrorHandler pages) {
            this.pages = pages;
        }

        @Override
        public HttpResponse<?> handle(HttpRequest request, AdminApiException e) {
            int status = e.status();
            // the console stands in front of the API: its failures and its refusal of the console's token are 502
            HttpStatus shown = status == 401 || status >= 500 || status < 400 ? HttpStatus.BAD_GATEWAY : HttpStatus.valueOf(status);
            String title = e.notFound() ? "Not found"
                    : status == 401 ? "The admin API refused the console's token"
                    : status >= 500 ? "The admin API failed"
                    : status < 400 ? "The admin API's answer could not be read"
                    : "The admin API refused this";
            String message = status == 401
                    ? "The admin API did not accept the console's admin token (" + e.getMessage()
                            + "). The console calls it with sluice.admin.token (SLUICE_ADMIN_TOKEN): it must be the gateway's."
                    : e.getMessage();
            return pages.page(request, shown, title, message, false);
        }
    }

    @Produces(MediaType.TEXT_HTML)
    @Singleton
    @Requires(classes = ExceptionHandler.class)
    static final class Csrf implements ExceptionHandler<CsrfRejectedException, HttpResponse<?>> {
        private final ConsoleErrorHandler pages;

        Csrf(ConsoleErrorHandler pages) {
            this.pages = pages;
        }

        @Override
        public HttpResponse<?> handle(HttpRequest request, CsrfRejectedException e) {
            return pages.page(request, HttpStatus.FORBIDDEN, "Request refused", e.getMessage(), false);
        }
    }

    @Produces(MediaType.TEXT_HTML)
    @Singleton
    @Requires(classes = ExceptionHandler.class)
    static final class ReadOnly implements ExceptionHandler<ReadOnlySessionException, HttpResponse<?>> {
        private final ConsoleErrorHandler pages;

        ReadOnly(ConsoleErrorHandler pages) {
            this.pages = pages;
        }

        @Override
        public HttpResponse<?> handle(HttpRequest request, ReadOnlySessionException e) {
            return pages.page(request, HttpStatus.FORBIDDEN, "Read only", e.getMessage(), false);
        }
    }
}
