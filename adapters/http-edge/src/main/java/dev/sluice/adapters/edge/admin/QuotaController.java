package dev.sluice.adapters.edge.admin;

import dev.sluice.application.config.LiveConfiguration;
import dev.sluice.application.routing.Routing;
import dev.sluice.domain.app.App;
import dev.sluice.domain.backend.Backend;
import dev.sluice.domain.quota.Quota;
import dev.sluice.domain.quota.QuotaCounter;
import io.micronaut.http.MediaType;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Get;

import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/** {@code /admin/api/v1/quotas}: every configured quota with its use in the current period. */
@Controller(value = "/admin/api/v1/quotas", produces = MediaType.APPLICATION_JSON)
final class QuotaController {
    private final LiveConfiguration configuration;
    private final Routing routing;

    QuotaController(LiveConfiguration configuration, Routing routing) {
        this.configuration = configuration;
        this.routing = routing;
    }

    @Get
    AdminViews.QuotaUseList list() {
        List<AdminViews.QuotaUseView> out = new ArrayList<>();
        for (Backend b : configuration.current().backends()) {
            b.options().quota().ifPresent(q -> out.add(view("backend:" + b.id(), "backend", b.id(), b.name(), q)));
        }
        for (App a : configuration.current().apps()) {
            a.policy().quota().ifPresent(q -> out.add(view("app:" + a.id(), "app", a.id(), a.name(), q)));
        }
        return new AdminViews.QuotaUseList(out);
    }

    private AdminViews.QuotaUseView view(String scope, String type, UUID id, String name, Quota q) {
        QuotaCounter.Snapshot s = routing.quotas().snapshot(scope, q);
        return new AdminViews.QuotaUseView(scope, type, id, name,
                q.requestsPerPeriod().isPresent() ? q.requestsPerPeriod().getAsLong() : null,
                q.tokensPerPeriod().isPresent() ? q.tokensPerPeriod().getAsLong() : null,
                s.requests(), s.tokens(), s.period().start(), s.period().end(), q.period().expression(), q.zone().getId());
    }
}
