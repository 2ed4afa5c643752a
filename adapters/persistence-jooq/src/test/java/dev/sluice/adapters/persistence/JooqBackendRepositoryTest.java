package dev.sluice.adapters.persistence;

import dev.sluice.adapters.persistence.testing.TestDatabase;
import dev.sluice.domain.backend.Backend;
import dev.sluice.domain.backend.ModelMapping;
import dev.sluice.domain.backend.Secret;
import org.jooq.DSLContext;
import org.jooq.ExecuteContext;
import org.jooq.ExecuteListener;
import org.jooq.impl.DSL;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;

import static dev.sluice.adapters.persistence.BackendTestData.aBackend;
import static dev.sluice.db.jooq.Tables.BACKEND;
import static dev.sluice.db.jooq.Tables.BACKEND_MODEL;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class JooqBackendRepositoryTest {
    private static TestDatabase db;
    private static AesGcmSecretCipher cipher;
    private static JooqBackendRepository repository;

    @BeforeAll
    static void startDatabase() {
        db = TestDatabase.create();
        cipher = new AesGcmSecretCipher(AesGcmSecretCipher.parseKey(AesGcmSecretCipher.generateKey()));
        repository = new JooqBackendRepository(db.dsl(), cipher);
    }

    @AfterAll
    static void dropDatabase() {
        db.close();
    }

    @BeforeEach
    void emptyTables() {
        db.dsl().deleteFrom(BACKEND).execute();
    }

    @Test
    void givenAnInsertedBackend_whenFoundById_thenEveryFieldComesBack() {
        Backend backend = aBackend()
                .withName("primary")
                .withBaseUrl("https://api.example.com/v1")
                .withApiKey("sk-live-abcdefghijklmnop")
                .withPriority(3)
                .withWeight(7)
                .withTimeoutMs(12_000)
                .disabled()
                .withHeaders(Map.of("X-Org", "acme", "X-Team", "ml"))
                .withModels(new ModelMapping("gpt-4o", "gpt-4o-2024-08-06"), new ModelMapping("mini", "gpt-4o-mini"))
                .build();

        repository.insert(backend);

        assertEquals(backend, repository.findById(backend.id()).orElseThrow());
        assertEquals(Secret.of("sk-live-abcdefghijklmnop"), repository.findById(backend.id()).orElseThrow().apiKey().orElseThrow());
    }

    @Test
    void givenABackendWithoutKey_whenStored_thenNoCiphertextOrHintIsKept() {
        Backend backend = aBackend().withoutApiKey().build();

        repository.insert(backend);

        assertTrue(repository.findById(backend.id()).orElseThrow().apiKey().isEmpty());
        var row = db.dsl().select(BACKEND.API_KEY_CIPHERTEXT, BACKEND.API_KEY_HINT).from(BACKEND)
                .where(BACKEND.ID.eq(backend.id())).fetchSingle();
        assertNull(row.value1());
        assertNull(row.value2());
    }

    @Test
    void givenAnUnknownId_whenFound_thenEmpty() {
        assertTrue(repository.findById(UUID.randomUUID()).isEmpty());
    }

    @Test
    void givenAnApiKey_whenStored_thenTheColumnHoldsOnlyCiphertextAndAMaskedHint() {
        String plaintext = "sk-live-SECRET-1234567890-abcdef";
        Backend backend = aBackend().withApiKey(plaintext).build();

        repository.insert(backend);

        var row = db.dsl().select(BACKEND.API_KEY_CIPHERTEXT, BACKEND.API_KEY_HINT).from(BACKEND)
                .where(BACKEND.ID.eq(backend.id())).fetchSingle();
        byte[] stored = row.value1();
        assertNotNull(stored);
        assertFalse(contains(stored, plaintext.getBytes(StandardCharsets.UTF_8)), "the key is stored in plain text");
        assertFalse(contains(stored, "SECRET-1234567890".getBytes(StandardCharsets.UTF_8)));
        assertEquals(12 + plaintext.length() + 16, stored.length);
        assertEquals(plaintext, cipher.decrypt(stored));
        assertEquals("sk-...cdef", row.value2());
    }

    @Test
    void givenAnotherMasterKey_whenReadingBackends_thenItFailsClearly() {
        Backend backend = aBackend().withApiKey("sk-live-abcdefghijklmnop").build();
        repository.insert(backend);
        var wrongKey = new JooqBackendRepository(db.dsl(),
                new AesGcmSecretCipher(AesGcmSecretCipher.parseKey(AesGcmSecretCipher.generateKey())));

        RuntimeException e = assertThrows(RuntimeException.class, () -> wrongKey.findById(backend.id()));

        assertTrue(rootCause(e) instanceof IllegalStateException, e.toString());
        assertFalse(String.valueOf(rootCause(e).getMessage()).contains("abcdefghijklmnop"));
    }

    @Test
    void givenHeadersWithQuotesBackslashesAndUnicode_whenStored_thenTheyComeBackExactly() {
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("X-Quote", "say \"hi\"");
        headers.put("X-Backslash", "C:\\path\\to\\ \\\" \\\\u0041");
        headers.put("X-Unicode", "ключ 日本語 émoji 🔑 \u2028");
        headers.put("X-Control", "tab\there\u0001\u001f end");
        headers.put("X-Json-Like", "{\"a\":[1,2]}");
        headers.put("X-Empty", "");
        headers.put("X-\"odd\\name", "ok");
        Backend backend = aBackend().withHeaders(headers).build();

        repository.insert(backend);

        assertEquals(headers, repository.findById(backend.id()).orElseThrow().headers());
        // and PostgreSQL reads the column as the same JSON object
        String quoted = db.dsl().select(DSL.jsonbGetAttributeAsText(BACKEND.HEADERS, "X-Quote")).from(BACKEND)
                .where(BACKEND.ID.eq(backend.id())).fetchSingle().value1();
        assertEquals("say \"hi\"", quoted);
        String unicode = db.dsl().select(DSL.jsonbGetAttributeAsText(BACKEND.HEADERS, "X-Unicode")).from(BACKEND)
                .where(BACKEND.ID.eq(backend.id())).fetchSingle().value1();
        assertEquals(headers.get("X-Unicode"), unicode);
    }

    @Test
    void givenSeveralBackends_whenFindingAll_thenAllComeBackWithTheirModelsInOneQuery() {
        Backend second = aBackend().withName("b-second").withPriority(2)
                .withModels(new ModelMapping("m1", "u1"), new ModelMapping("m2", "u2"), new ModelMapping("m3", "u3")).build();
        Backend firstB = aBackend().withName("b-first").withPriority(1).withModels(new ModelMapping("x", "y")).build();
        Backend firstA = aBackend().withName("a-first").withPriority(1).withoutApiKey().withModels().build();
        repository.insert(second);
        repository.insert(firstB);
        repository.insert(firstA);
        AtomicInteger queries = new AtomicInteger();
        DSLContext counting = db.dsl().configuration().derive(new ExecuteListener() {
            @Override
            public void executeStart(ExecuteContext ctx) {
                queries.incrementAndGet();
            }
        }).dsl();

        List<Backend> all = new JooqBackendRepository(counting, cipher).findAll();

        assertEquals(List.of(firstA, firstB, second), all);
        assertEquals(1, queries.get(), "findAll must not query once per backend");
    }

    @Test
    void givenAStoredBackend_whenUpdated_thenFieldsChangeAndModelsAreReplaced() {
        Backend original = aBackend().withName("before").withApiKey("sk-original-key-0001")
                .withHeaders(Map.of("X-Old", "1"))
                .withModels(new ModelMapping("a", "a1"), new ModelMapping("b", "b1")).build();
        repository.insert(original);
        Backend changed = BackendTestData.from(original).withName("after").withBaseUrl("http://other:9000/v1")
                .withPriority(5).withHeaders(Map.of("X-New", "2"))
                .withModels(new ModelMapping("b", "b2"), new ModelMapping("c", "c1")).build();

        assertTrue(repository.update(changed));

        Backend found = repository.findById(original.id()).orElseThrow();
        assertEquals(changed, found);
        assertEquals(Secret.of("sk-original-key-0001"), found.apiKey().orElseThrow(), "the key is kept");
        assertEquals(List.of("b", "c"), db.dsl().select(BACKEND_MODEL.NAME).from(BACKEND_MODEL)
                .where(BACKEND_MODEL.BACKEND_ID.eq(original.id())).orderBy(BACKEND_MODEL.NAME).fetch(BACKEND_MODEL.NAME));
    }

    @Test
    void givenAStoredBackend_whenUpdatedWithAnotherKeyOrNone_thenTheStoredKeyFollows() {
        Backend original = aBackend().withApiKey("sk-original-key-0001").build();
        repository.insert(original);

        assertTrue(repository.update(BackendTestData.from(original).withApiKey("sk-rotated-key-0002").build()));
        assertEquals(Secret.of("sk-rotated-key-0002"), repository.findById(original.id()).orElseThrow().apiKey().orElseThrow());
        assertEquals("sk-...0002", db.dsl().select(BACKEND.API_KEY_HINT).from(BACKEND)
                .where(BACKEND.ID.eq(original.id())).fetchSingle().value1());

        assertTrue(repository.update(BackendTestData.from(original).withoutApiKey().build()));
        assertTrue(repository.findById(original.id()).orElseThrow().apiKey().isEmpty());
    }

    @Test
    void givenAnUnknownId_whenUpdated_thenFalseAndNothingIsStored() {
        Backend ghost = aBackend().build();

        assertFalse(repository.update(ghost));

        assertTrue(repository.findAll().isEmpty());
        assertEquals(0, db.dsl().fetchCount(BACKEND_MODEL));
    }

    @Test
    void givenABackendWithModels_whenDeleted_thenItsModelsGoToo() {
        Backend doomed = aBackend().withModels(new ModelMapping("a", "a"), new ModelMapping("b", "b")).build();
        Backend kept = aBackend().build();
        repository.insert(doomed);
        repository.insert(kept);

        assertTrue(repository.delete(doomed.id()));

        assertTrue(repository.findById(doomed.id()).isEmpty());
        assertEquals(0, db.dsl().fetchCount(BACKEND_MODEL, BACKEND_MODEL.BACKEND_ID.eq(doomed.id())));
        assertEquals(List.of(kept), repository.findAll());
        assertFalse(repository.delete(doomed.id()), "a second delete finds nothing");
    }

    @Test
    void givenModelsTheDatabaseRefuses_whenInserted_thenNoPartOfTheBackendIsStored() {
        Backend broken = aBackend().withModels(new ModelMapping("same", "u1"), new ModelMapping("same", "u2")).build();

        assertThrows(RuntimeException.class, () -> repository.insert(broken));

        assertTrue(repository.findById(broken.id()).isEmpty(), "the backend row was rolled back with its models");
    }

    @Test
    void givenModelsTheDatabaseRefuses_whenUpdated_thenTheOldBackendIsKept() {
        Backend original = aBackend().withName("original").withModels(new ModelMapping("a", "a1")).build();
        repository.insert(original);
        Backend broken = BackendTestData.from(original).withName("renamed")
                .withModels(new ModelMapping("same", "u1"), new ModelMapping("same", "u2")).build();

        assertThrows(RuntimeException.class, () -> repository.update(broken));

        assertEquals(original, repository.findById(original.id()).orElseThrow());
    }

    private static boolean contains(byte[] haystack, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= haystack.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return true;
        }
        return false;
    }

    private static Throwable rootCause(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return root;
    }
}
