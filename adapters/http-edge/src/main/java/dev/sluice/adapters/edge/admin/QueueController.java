package dev.sluice.adapters.edge.admin;

import dev.sluice.application.routing.Routing;
import io.micronaut.context.annotation.Value;
import io.micronaut.http.MediaType;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Get;

/** {@code /admin/api/v1/queue}: requests waiting for capacity, per model, live. */
@Controller(value = "/admin/api/v1/queue", produces = MediaType.APPLICATION_JSON)
final class QueueController {
    private final Routing routing;
    private final int maxSize;

    QueueController(Routing routing, @Value("${sluice.queue.max-size:10000}") int maxSize) {
        this.routing = routing;
        this.maxSize = maxSize;
    }

    @Get
    AdminViews.QueueView get() {
        var lines = routing.queue().stats().stream()
                .map(s -> new AdminViews.QueueLineView(s.model(), s.waiting(), s.oldestWaitMillis(), s.admitted(),
                        s.timedOut(), s.rejectedFull()))
                .toList();
        return new AdminViews.QueueView(routing.queue().size(), maxSize, lines);
    }
}
