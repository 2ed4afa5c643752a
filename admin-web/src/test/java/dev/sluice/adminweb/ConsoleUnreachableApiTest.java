package dev.sluice.adminweb;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micronaut.context.annotation.Property;
import io.micronaut.runtime.server.EmbeddedServer;
import io.micronaut.test.extensions.junit5.annotation.MicronautTest;
import jakarta.inject.Inject;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.Test;

/** An admin API nobody listens on: the page still renders, with a banner and a 502. */
@MicronautTest
@Property(name = "sluice.admin.token", value = ConsoleTest.TOKEN)
@Property(name = "sluice.console.api-url", value = "http://127.0.0.1:1")
class ConsoleUnreachableApiTest {

    @Inject
    EmbeddedServer server;

    @Test
    void unreachableApiShowsABanner() {
        ConsoleHttp http = new ConsoleHttp(server.getURI());
        HttpResponse<String> r = http.get("/console", "Cookie", http.login(ConsoleTest.TOKEN));
        ConsoleTest.assertBanner(r, "The admin API is unreachable", "Could not reach the admin API at http://127.0.0.1:1.");
        assertTrue(r.body().contains("banner-error banner-page"), "the unreachable-API banner");
    }
}
