package dev.sluice.adapters.edge.admin;

import dev.sluice.application.port.UsageReader;
import org.junit.jupiter.api.Test;

import java.io.StringWriter;
import java.time.Instant;

import static org.junit.jupiter.api.Assertions.assertEquals;

class UsageCsvTest {
    @Test
    void plainValuesAreNotQuoted() {
        assertEquals("gpt-4o", UsageCsv.field("gpt-4o"));
        assertEquals("a b;c'd", UsageCsv.field("a b;c'd"));
        assertEquals("", UsageCsv.field(""));
        assertEquals("", UsageCsv.field(null));
    }

    @Test
    void quotesCommasAndLineBreaksAreQuoted() {
        assertEquals("\"a,b\"", UsageCsv.field("a,b"));
        assertEquals("\"say \"\"hi\"\"\"", UsageCsv.field("say \"hi\""));
        assertEquals("\"line1\nline2\"", UsageCsv.field("line1\nline2"));
        assertEquals("\"cr\rhere\"", UsageCsv.field("cr\rhere"));
        assertEquals("\"\"\"\"", UsageCsv.field("\""));
    }

    @Test
    void rowsHaveEmptyFieldsForGroupedOutDimensionsAndCrlfEnds() {
        StringWriter out = new StringWriter();
        UsageCsv.writeHeader(out);
        UsageCsv.writeRow(out, new UsageReader.UsageRow(Instant.parse("2026-01-05T10:00:00Z"), "east, \"1\"", null, "m\nx",
                3, 1, 10, 5, 15));
        assertEquals("bucket,backend,app,model,requests,errors,prompt_tokens,completion_tokens,total_tokens\r\n"
                + "2026-01-05T10:00:00Z,\"east, \"\"1\"\"\",,\"m\nx\",3,1,10,5,15\r\n", out.toString());
    }
}
