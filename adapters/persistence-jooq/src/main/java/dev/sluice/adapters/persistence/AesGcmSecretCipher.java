package dev.sluice.adapters.persistence;

import dev.sluice.application.port.SecretCipher;

import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Base64;
import java.util.Objects;

/**
 * AES-256-GCM under a master key. Stored form: a 12-byte random nonce followed by the ciphertext
 * and its 16-byte tag, so a wrong key or any changed byte is detected on decryption.
 */
public final class AesGcmSecretCipher implements SecretCipher {
    static final int KEY_BYTES = 32;
    static final int NONCE_BYTES = 12;
    static final int TAG_BITS = 128;
    private static final String TRANSFORMATION = "AES/GCM/NoPadding";
    private static final SecureRandom RANDOM = new SecureRandom();

    private final SecretKeySpec key;

    public AesGcmSecretCipher(byte[] masterKey) {
        Objects.requireNonNull(masterKey, "masterKey");
        if (masterKey.length != KEY_BYTES) {
            throw new IllegalArgumentException("the master key must be " + KEY_BYTES + " bytes, got " + masterKey.length);
        }
        this.key = new SecretKeySpec(masterKey.clone(), "AES");
    }

    /** Decodes a master key given as standard base64 of exactly 32 bytes. */
    public static byte[] parseKey(String base64) {
        if (base64 == null || base64.isBlank()) {
            throw new IllegalArgumentException("the master key is missing: expected base64 of " + KEY_BYTES + " random bytes");
        }
        byte[] key;
        try {
            key = Base64.getDecoder().decode(base64.strip());
        } catch (IllegalArgumentException e) {
            // the decoder's message could quote the input; the key must not reach a log
            throw new IllegalArgumentException("the master key is not valid base64");
        }
        if (key.length != KEY_BYTES) {
            Arrays.fill(key, (byte) 0);
            throw new IllegalArgumentException("the master key must be base64 of " + KEY_BYTES + " bytes, got " + key.length + " bytes");
        }
        return key;
    }

    /** A fresh random master key, as base64 of 32 bytes. */
    public static String generateKey() {
        byte[] key = new byte[KEY_BYTES];
        RANDOM.nextBytes(key);
        return Base64.getEncoder().encodeToString(key);
    }

    @Override
    public byte[] encrypt(String plaintext) {
        Objects.requireNonNull(plaintext, "plaintext");
        byte[] nonce = new byte[NONCE_BYTES];
        RANDOM.nextBytes(nonce);
        try {
            Cipher cipher = Cipher.getInstance(TRANSFORMATION);
            cipher.init(Cipher.ENCRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, nonce));
            byte[] sealed = cipher.doFinal(plaintext.getBytes(StandardCharsets.UTF_8));
            byte[] out = new byte[NONCE_BYTES + sealed.length];
            System.arraycopy(nonce, 0, out, 0, NONCE_BYTES);
            System.arraycopy(sealed, 0, out, NONCE_BYTES, sealed.length);
            return out;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-GCM encryption is not available: " + e.getClass().getSimpleName(), e);
        }
    }

    @Override
    public String decrypt(byte[] stored) {
        Objects.requireNonNull(stored, "stored");
        if (stored.length < NONCE_BYTES + TAG_BITS / 8) {
            throw new IllegalStateException("cannot decrypt a stored secret: it is too short to be AES-GCM data");
        }
        try {
            Cipher cipher = Cipher.getInstance(TRANSFORMATION);
            cipher.init(Cipher.DECRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, stored, 0, NONCE_BYTES));
            byte[] plain = cipher.doFinal(stored, NONCE_BYTES, stored.length - NONCE_BYTES);
            return new String(plain, StandardCharsets.UTF_8);
        } catch (AEADBadTagException e) {
            throw new IllegalStateException(
                    "cannot decrypt a stored secret: the master key is wrong or the stored data was altered");
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot decrypt a stored secret: " + e.getClass().getSimpleName());
        }
    }

    @Override
    public String toString() {
        return "AesGcmSecretCipher[key redacted]";
    }
}
