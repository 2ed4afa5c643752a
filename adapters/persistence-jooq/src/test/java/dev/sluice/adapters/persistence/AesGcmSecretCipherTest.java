package dev.sluice.adapters.persistence;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.Base64;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class AesGcmSecretCipherTest {
    private static final String PLAINTEXT = "sk-proj-Very$ecret-ключ-🔑";

    private final AesGcmSecretCipher cipher = new AesGcmSecretCipher(AesGcmSecretCipher.parseKey(AesGcmSecretCipher.generateKey()));

    @Test
    void givenAnySecret_whenEncryptedAndDecrypted_thenTheSameTextComesBack() {
        assertEquals(PLAINTEXT, cipher.decrypt(cipher.encrypt(PLAINTEXT)));
        assertEquals("", cipher.decrypt(cipher.encrypt("")));
        String long4k = "k".repeat(4096);
        assertEquals(long4k, cipher.decrypt(cipher.encrypt(long4k)));
    }

    @Test
    void storedFormIsANonceThenCiphertextAndTag() {
        byte[] stored = cipher.encrypt(PLAINTEXT);
        int plainLength = PLAINTEXT.getBytes(StandardCharsets.UTF_8).length;
        assertEquals(12 + plainLength + 16, stored.length);
    }

    @Test
    void givenTheSamePlaintext_whenEncryptedTwice_thenTheCiphertextsDiffer() {
        byte[] first = cipher.encrypt(PLAINTEXT);
        byte[] second = cipher.encrypt(PLAINTEXT);
        assertFalse(java.util.Arrays.equals(first, second));
        assertFalse(java.util.Arrays.equals(java.util.Arrays.copyOf(first, 12), java.util.Arrays.copyOf(second, 12)),
                "each encryption must use a fresh nonce");
    }

    @Test
    void givenAnotherMasterKey_whenDecrypting_thenItFailsWithoutRevealingTheSecret() {
        byte[] stored = cipher.encrypt(PLAINTEXT);
        AesGcmSecretCipher other = new AesGcmSecretCipher(AesGcmSecretCipher.parseKey(AesGcmSecretCipher.generateKey()));

        IllegalStateException e = assertThrows(IllegalStateException.class, () -> other.decrypt(stored));

        assertEquals("cannot decrypt a stored secret: the master key is wrong or the stored data was altered", e.getMessage());
    }

    @Test
    void givenAnyChangedByte_whenDecrypting_thenItFails() {
        byte[] stored = cipher.encrypt(PLAINTEXT);
        // in the nonce, in the ciphertext, in the tag
        for (int index : new int[] {0, 11, 12, stored.length / 2, stored.length - 1}) {
            byte[] tampered = stored.clone();
            tampered[index] ^= 0x01;
            assertThrows(IllegalStateException.class, () -> cipher.decrypt(tampered), "byte " + index);
        }
    }

    @Test
    void givenTruncatedData_whenDecrypting_thenItFails() {
        byte[] stored = cipher.encrypt(PLAINTEXT);
        assertThrows(IllegalStateException.class, () -> cipher.decrypt(java.util.Arrays.copyOf(stored, stored.length - 1)));
        assertThrows(IllegalStateException.class, () -> cipher.decrypt(new byte[20]));
    }

    @Test
    void givenAGeneratedKey_whenParsed_thenItIs32Bytes() {
        String generated = AesGcmSecretCipher.generateKey();
        byte[] key = AesGcmSecretCipher.parseKey(generated);
        assertEquals(32, key.length);
        assertArrayEquals(Base64.getDecoder().decode(generated), key);
        assertNotEquals(generated, AesGcmSecretCipher.generateKey());
    }

    @Test
    void givenAKeyOfTheWrongLengthOrNotBase64_whenParsed_thenItIsRejected() {
        String sixteenBytes = Base64.getEncoder().encodeToString(new byte[16]);
        IllegalArgumentException tooShort = assertThrows(IllegalArgumentException.class, () -> AesGcmSecretCipher.parseKey(sixteenBytes));
        assertEquals("the master key must be base64 of 32 bytes, got 16 bytes", tooShort.getMessage());
        assertThrows(IllegalArgumentException.class, () -> AesGcmSecretCipher.parseKey("not base64 at all!"));
        assertThrows(IllegalArgumentException.class, () -> AesGcmSecretCipher.parseKey(""));
        assertThrows(IllegalArgumentException.class, () -> AesGcmSecretCipher.parseKey(null));
        assertThrows(IllegalArgumentException.class, () -> new AesGcmSecretCipher(new byte[16]));
    }

    @Test
    void theCipherDoesNotShowItsKey() {
        byte[] key = AesGcmSecretCipher.parseKey(AesGcmSecretCipher.generateKey());
        String shown = new AesGcmSecretCipher(key).toString();
        assertFalse(shown.contains(Base64.getEncoder().encodeToString(key)));
        assertEquals("AesGcmSecretCipher[key redacted]", shown);
    }
}
