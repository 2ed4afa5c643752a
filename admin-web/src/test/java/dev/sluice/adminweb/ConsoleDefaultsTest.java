package dev.sluice.adminweb;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micronaut.context.annotation.Property;
import io.micronaut.runtime.server.EmbeddedServer;
import io.micronaut.test.extensions.junit5.annotation.MicronautTest;
import jakarta.inject.Inject;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.Test;

/** With no {@code sluice.console.api-url} the console calls the server it runs in. */
@MicronautTest
@Property(name = "sluice.admin.token", value = ConsoleTest.TOKEN)
@Property(name = "fake-admin-api.enabled", value = "true")
class ConsoleDefaultsTest {

    @Inject
    EmbeddedServer server;

    @Test
    void defaultApiUrlIsTheOwnServer() {
        ConsoleHttp http = new ConsoleHttp(server.getURI());
        HttpResponse<String> r = http.get("/console/backends", "Cookie", http.login(ConsoleTest.TOKEN));
        assertEquals(200, r.statusCode(), r.body());
        assertTrue(r.body().contains("openai-main") && r.body().contains("local-vllm"), r.body());
    }
}
