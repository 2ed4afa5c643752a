package dev.sluice.adapters.edge.admin;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The tokens that open the admin API: the main one ({@code sluice.admin.token}, named
 * {@code admin-token}, full rights; the console uses it) and any number of named ones from
 * {@code sluice.admin.tokens} ({@code SLUICE_ADMIN_TOKENS}): comma-separated {@code name:role:token}
 * with role {@code admin} or {@code viewer} (reads only). The name is who the audit log shows.
 * Tokens are compared in constant time; every token must be at least 16 characters.
 */
final class AdminTokens {
    enum Role { ADMIN, VIEWER }

    /** Who presented a token. */
    record Caller(String name, Role role) {
    }

    private record Token(byte[] secret, Caller caller) {
    }

    static final String MAIN_NAME = "admin-token";
    private static final int MIN_LENGTH = 16;

    private final List<Token> tokens;

    private AdminTokens(List<Token> tokens) {
        this.tokens = List.copyOf(tokens);
    }

    /** Reads the configuration; a malformed entry stops the start with a message naming it. */
    static AdminTokens of(String main, String named) {
        if (main == null || main.length() < MIN_LENGTH) {
            throw new IllegalStateException("sluice.admin.token must be set and at least 16 characters long");
        }
        List<Token> tokens = new ArrayList<>();
        tokens.add(new Token(bytes(main), new Caller(MAIN_NAME, Role.ADMIN)));
        Set<String> names = new HashSet<>(Set.of(MAIN_NAME));
        if (named != null && !named.isBlank()) {
            int index = 0;
            for (String entry : named.split(",")) {
                String where = "sluice.admin.tokens entry " + index++;
                String[] parts = entry.strip().split(":", 3);
                if (parts.length != 3) {
                    throw new IllegalStateException(where + " must be name:role:token");
                }
                String name = parts[0].strip();
                if (!name.matches("[A-Za-z0-9._@-]{1,64}")) {
                    throw new IllegalStateException(where + ": the name must be 1-64 letters, digits or . _ @ -");
                }
                if (!names.add(name)) {
                    throw new IllegalStateException(where + ": the name " + name + " is used twice");
                }
                Role role = switch (parts[1].strip().toLowerCase(java.util.Locale.ROOT)) {
                    case "admin" -> Role.ADMIN;
                    case "viewer" -> Role.VIEWER;
                    default -> throw new IllegalStateException(where + " (" + name + "): the role must be admin or viewer");
                };
                String secret = parts[2].strip();
                if (secret.length() < MIN_LENGTH) {
                    throw new IllegalStateException(where + " (" + name + "): the token must be at least 16 characters long");
                }
                tokens.add(new Token(bytes(secret), new Caller(name, role)));
            }
        }
        return new AdminTokens(tokens);
    }

    /** The caller whose token this is; every token is compared, so the time does not tell which matched. */
    Optional<Caller> match(String presented) {
        byte[] given = bytes(presented);
        Caller found = null;
        for (Token t : tokens) {
            if (MessageDigest.isEqual(given, t.secret()) && found == null) {
                found = t.caller();
            }
        }
        return Optional.ofNullable(found);
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
