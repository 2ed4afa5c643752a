package dev.sluice.application.port;

/** Encrypts secrets (backend API keys) before they are stored, and decrypts them when loaded. */
public interface SecretCipher {
    byte[] encrypt(String plaintext);

    String decrypt(byte[] ciphertext);
}
