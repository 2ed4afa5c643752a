package dev.sluice.domain.app;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/** The stored form of a gateway key: hex SHA-256 of its UTF-8 bytes. */
public final class KeyHash {
    private static final HexFormat HEX = HexFormat.of();
    // MessageDigest.getInstance looks the provider up each time; one digest a thread is reused
    private static final ThreadLocal<MessageDigest> SHA_256 = ThreadLocal.withInitial(KeyHash::newDigest);

    private KeyHash() {
    }

    public static String of(String key) {
        MessageDigest digest = SHA_256.get();
        digest.reset();
        return HEX.formatHex(digest.digest(key.getBytes(StandardCharsets.UTF_8)));
    }

    private static MessageDigest newDigest() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required by every JDK", e);
        }
    }
}
