package dev.sluice.domain.routing;

import dev.sluice.domain.backend.Backend;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Optional;

import static dev.sluice.domain.backend.BackendTestData.aBackend;
import static org.junit.jupiter.api.Assertions.assertEquals;

class RoutingTableTest {

    @Test
    void givenBackendsOfDifferentPriority_thenRoutesAreLowestNumberFirst() {
        Backend second = aBackend().named("b-second").withPriority(2).servingModel("gpt-4o").build();
        Backend first = aBackend().named("a-first").withPriority(1).servingModel("gpt-4o").build();
        Backend third = aBackend().named("c-third").withPriority(3).servingModel("gpt-4o").build();

        RoutingTable table = RoutingTable.of(List.of(second, third, first));

        assertEquals(List.of(first, second, third), backends(table.routes("gpt-4o")));
        assertEquals(Optional.of(first), table.first("gpt-4o").map(Route::backend));
    }

    @Test
    void givenEqualPriorities_thenRoutesAreOrderedByBackendName() {
        Backend zulu = aBackend().named("zulu").servingModel("m").build();
        Backend alpha = aBackend().named("alpha").servingModel("m").build();

        assertEquals(List.of(alpha, zulu), backends(RoutingTable.of(List.of(zulu, alpha)).routes("m")));
    }

    @Test
    void disabledBackendsServeNothing() {
        Backend disabled = aBackend().withPriority(0).servingModel("gpt-4o").servingModel("only-here").disabled().build();
        Backend enabled = aBackend().withPriority(5).servingModel("gpt-4o").build();

        RoutingTable table = RoutingTable.of(List.of(disabled, enabled));

        assertEquals(List.of(enabled), backends(table.routes("gpt-4o")));
        assertEquals(List.of(), table.routes("only-here"));
        assertEquals(Optional.empty(), table.first("only-here"));
        assertEquals(List.of("gpt-4o"), List.copyOf(table.models()));
    }

    @Test
    void aRouteCarriesTheBackendsNameForTheModel() {
        Backend backend = aBackend().servingModel("gpt-4o", "gpt-4o-2024-08-06").servingModel("plain").build();

        RoutingTable table = RoutingTable.of(List.of(backend));

        assertEquals("gpt-4o-2024-08-06", table.first("gpt-4o").orElseThrow().upstreamModel());
        assertEquals("plain", table.first("plain").orElseThrow().upstreamModel());
    }

    @Test
    void modelsAreTheSortedUnionOfWhatEnabledBackendsServe() {
        RoutingTable table = RoutingTable.of(List.of(
                aBackend().servingModel("zeta").servingModel("alpha").build(),
                aBackend().servingModel("alpha").servingModel("mid").build()));

        assertEquals(List.of("alpha", "mid", "zeta"), List.copyOf(table.models()));
    }

    @Test
    void anUnknownModelHasNoRoutes() {
        RoutingTable table = RoutingTable.of(List.of(aBackend().servingModel("gpt-4o").build()));

        assertEquals(List.of(), table.routes("GPT-4O"));
        assertEquals(Optional.empty(), RoutingTable.empty().first("gpt-4o"));
        assertEquals(List.of(), List.copyOf(RoutingTable.empty().models()));
    }

    private static List<Backend> backends(List<Route> routes) {
        return routes.stream().map(Route::backend).toList();
    }
}
