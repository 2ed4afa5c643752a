package dev.sluice.bootstrap.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import java.net.URI;
import java.net.http.HttpClient;
import java.util.Map;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

/** Named admin tokens: a viewer reads and cannot change anything; an admin's changes carry its name in the audit log. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class AdminTokensEndToEndTest {
    private static final String VIEWER = "viewer-token-0123456789abcdef";
    private static final String ALICE = "alice-token-0123456789abcdef";

    private Gateway gateway;
    private AdminApi viewer;
    private AdminApi alice;

    @BeforeAll
    void start() {
        gateway = Gateway.start(Map.of("sluice.admin.tokens", "ops:viewer:" + VIEWER + ",alice:admin:" + ALICE));
        HttpClient http = HttpClient.newHttpClient();
        URI base = URI.create("http://127.0.0.1:" + gateway.adminPort());
        viewer = new AdminApi(http, base, VIEWER);
        alice = new AdminApi(http, base, ALICE);
    }

    @AfterAll
    void stop() {
        if (gateway != null) {
            gateway.close();
        }
    }

    @Test
    void givenAViewersToken_thenItReads_butAChangeIsRefusedWith403AndNothingChanges() {
        assertEquals(200, viewer.get("/backends").status());
        assertEquals(200, viewer.get("/audit").status());
        assertEquals(200, viewer.get("/config").status(), "a viewer may read the configuration");
        assertEquals(403, viewer.get("/config?secrets=true").status(), "but not its secrets");
        String name = "viewer-app-" + UUID.randomUUID();

        AdminApi.Response refused = viewer.post("/apps", "{\"name\":\"" + name + "\"}");

        assertEquals(403, refused.status(), refused.body());
        assertEquals("admin_read_only", refused.json().get("error").get("code").asText());
        assertFalse(gateway.admin().get("/apps").body().contains(name), "nothing was created");
        assertEquals(401, new AdminApi(HttpClient.newHttpClient(), URI.create("http://127.0.0.1:" + gateway.adminPort()),
                "not-a-token-0123456789").get("/backends").status());
    }

    @Test
    void givenANamedAdminToken_whenItChangesSomething_thenTheAuditLogNamesIt() {
        String name = "alice-app-" + UUID.randomUUID();
        AdminApi.Response created = alice.post("/apps", "{\"name\":\"" + name + "\"}");
        assertEquals(201, created.status(), created.body());

        JsonNode entry = null;
        for (JsonNode e : gateway.admin().get("/audit?type=app").json().get("data")) {
            if (name.equals(e.get("targetName").asText())) {
                entry = e;
            }
        }
        assertEquals("alice", entry == null ? null : entry.get("actor").asText());
        assertEquals("app.create", entry.get("action").asText());
    }
}
