package dev.sluice.domain.backend;

import org.junit.jupiter.api.Test;

import java.util.Optional;

import static dev.sluice.domain.backend.BackendTestData.aBackend;
import static org.junit.jupiter.api.Assertions.assertEquals;

class BackendTest {

    @Test
    void trailingSlashesOfTheBaseUrlAreDropped() {
        assertEquals("https://api.example.test/v1", aBackend().withBaseUrl("https://api.example.test/v1//").build().baseUrl());
    }

    @Test
    void aModelIsFoundByItsPublicName() {
        Backend backend = aBackend().servingModel("gpt-4o", "gpt-4o-2024-08-06").build();

        assertEquals(Optional.of(new ModelMapping("gpt-4o", "gpt-4o-2024-08-06")), backend.model("gpt-4o"));
        assertEquals(Optional.empty(), backend.model("gpt-4o-2024-08-06"));
    }

    @Test
    void aModelWithoutAnUpstreamNameIsSentUnderItsPublicName() {
        assertEquals("llama", new ModelMapping("llama", " ").upstreamModel());
        assertEquals("llama", new ModelMapping("llama", null).upstreamModel());
    }
}
