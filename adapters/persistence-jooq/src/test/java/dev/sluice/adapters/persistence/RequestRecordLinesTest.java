package dev.sluice.adapters.persistence;

import dev.sluice.domain.openai.Endpoint;
import dev.sluice.domain.openai.Usage;
import dev.sluice.domain.usage.AttemptRecord;
import dev.sluice.domain.usage.RequestRecord;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

class RequestRecordLinesTest {
    @Test
    void givenARecordWithEveryFieldSet_whenEncodedAndDecoded_thenItIsEqual() {
        RequestRecord r = new RequestRecord("req-\"1\"\\\n\u0000", Instant.parse("2024-05-06T07:08:09.123456789Z"),
                Endpoint.EMBEDDINGS, Optional.of(UUID.randomUUID()), Optional.of("app 🔑 \t\u2028"),
                Optional.of("model/x\ud800lone"), Optional.of(UUID.randomUUID()), Optional.of("backend"), 502,
                Optional.of("upstream_error"), 1234567890123L, OptionalLong.of(42), Optional.of(new Usage(1, 2, 3)),
                true, true,
                List.of(new AttemptRecord(1, UUID.randomUUID(), "b1", OptionalInt.of(503), Optional.empty(), 10),
                        new AttemptRecord(2, UUID.randomUUID(), "b\"2", OptionalInt.empty(), Optional.of("timeout"), 20)),
                Optional.of(UUID.randomUUID()), OptionalLong.of(7), true);

        String line = RequestRecordLines.encode(r);

        assertFalse(line.contains("\n"));
        assertEquals(r, RequestRecordLines.decode(line));
    }

    @Test
    void givenARecordWithEveryOptionalEmpty_whenEncodedAndDecoded_thenItIsEqual() {
        RequestRecord r = new RequestRecord("req-2", Instant.ofEpochSecond(0), Endpoint.CHAT_COMPLETIONS,
                Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty(), 200,
                Optional.empty(), 0, OptionalLong.empty(), Optional.empty(), false, false, List.of(),
                Optional.empty(), OptionalLong.empty(), false);

        assertEquals(r, RequestRecordLines.decode(RequestRecordLines.encode(r)));
    }

    @Test
    void givenZeroUsageAndEmptyText_whenRoundTripped_thenTheyStayZeroAndEmptyNotMissing() {
        RequestRecord r = new RequestRecord("req-3", Instant.ofEpochSecond(1), Endpoint.COMPLETIONS,
                Optional.empty(), Optional.of(""), Optional.empty(), Optional.empty(), Optional.empty(), 200,
                Optional.empty(), 0, OptionalLong.of(0), Optional.of(new Usage(0, 0, 0)), false, false, List.of(),
                Optional.empty(), OptionalLong.of(0), false);

        RequestRecord back = RequestRecordLines.decode(RequestRecordLines.encode(r));

        assertEquals(r, back);
        assertEquals(Optional.of(new Usage(0, 0, 0)), back.usage());
    }

    @Test
    void aTornLineIsRefused() {
        String line = RequestRecordLines.encode(RequestRecordTestData.aRequestRecord().build());

        assertThrows(IllegalArgumentException.class, () -> RequestRecordLines.decode(line.substring(0, line.length() / 2)));
    }
}
