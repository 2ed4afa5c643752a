package dev.sluice.adapters.edge.admin;

import dev.sluice.application.admin.InvalidFieldsException;
import io.micronaut.context.annotation.Requires;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.annotation.Produces;
import io.micronaut.http.server.exceptions.ExceptionHandler;
import jakarta.inject.Singleton;

/** Maps invalid admin commands to 400 with every bad field named. */
@Produces
@Singleton
@Requires(classes = {InvalidFieldsException.class, ExceptionHandler.class})
final class AdminErrorHandlers implements ExceptionHandler<InvalidFieldsException, HttpResponse<AdminViews.ErrorResponse>> {
    @Override
    public HttpResponse<AdminViews.ErrorResponse> handle(HttpRequest request, InvalidFieldsException exception) {
        return HttpResponse.badRequest(AdminViews.ErrorResponse.invalid(exception.errors()));
    }
}
