package dev.sluice.domain.app;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

class KeyHashTest {

    @Test
    void isTheLowerCaseHexSha256OfTheUtf8Bytes() {
        assertEquals("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad", KeyHash.of("abc"));
        assertEquals("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", KeyHash.of(""));
    }

    @Test
    void differsForKeysThatDifferOnlyInCase() {
        assertNotEquals(KeyHash.of("sk-sluice-abc"), KeyHash.of("sk-sluice-ABC"));
    }
}
