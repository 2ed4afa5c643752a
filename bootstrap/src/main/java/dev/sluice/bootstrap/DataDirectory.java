package dev.sluice.bootstrap;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Optional;

/**
 * The gateway's data directory ({@code SLUICE_DATA_DIR}, default {@code ./data}): the embedded
 * database, and the master key and admin token when they are not given by the environment.
 */
final class DataDirectory {
    private static final Logger LOG = LoggerFactory.getLogger(DataDirectory.class);
    private static final String SECRET_KEY_FILE = "secret.key";
    private static final String ADMIN_TOKEN_FILE = "admin-token";

    private final Path root;

    DataDirectory(Path root) {
        this.root = root.toAbsolutePath().normalize();
        try {
            Files.createDirectories(this.root);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create the data directory " + this.root, e);
        }
    }

    Path root() {
        return root;
    }

    Path resolve(String name) {
        return root.resolve(name);
    }

    /** The master key for secrets at rest: from the environment, else from the data directory, else generated there. */
    String masterKey(Optional<String> fromEnvironment) {
        if (fromEnvironment.isPresent() && !fromEnvironment.get().isBlank()) {
            return fromEnvironment.get().strip();
        }
        Path file = root.resolve(SECRET_KEY_FILE);
        if (Files.exists(file)) {
            return read(file);
        }
        byte[] key = new byte[32];
        new SecureRandom().nextBytes(key);
        String encoded = Base64.getEncoder().encodeToString(key);
        write(file, encoded);
        LOG.warn("SLUICE_SECRET_KEY is not set: generated a master key into {}. Back it up; without it the stored "
                + "backend API keys cannot be decrypted. In production set SLUICE_SECRET_KEY instead.", file);
        return encoded;
    }

    /** The admin API token: from the environment, else from the data directory, else generated there and printed once. */
    String adminToken(Optional<String> fromEnvironment) {
        if (fromEnvironment.isPresent() && !fromEnvironment.get().isBlank()) {
            String token = fromEnvironment.get().strip();
            if (token.length() < 16) {
                throw new IllegalArgumentException("SLUICE_ADMIN_TOKEN must be at least 16 characters long");
            }
            return token;
        }
        Path file = root.resolve(ADMIN_TOKEN_FILE);
        if (Files.exists(file)) {
            LOG.info("Admin token read from {}", file);
            return read(file);
        }
        byte[] random = new byte[24];
        new SecureRandom().nextBytes(random);
        String token = "sluice-admin-" + Base64.getUrlEncoder().withoutPadding().encodeToString(random);
        write(file, token);
        // printed once, on purpose not through the logger, so it does not end up in log shipping
        System.out.println();
        System.out.println("  Generated the admin API token (shown once; also stored in " + file + "):");
        System.out.println("  " + token);
        System.out.println();
        return token;
    }

    private static String read(Path file) {
        try {
            return Files.readString(file, StandardCharsets.UTF_8).strip();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
    }

    private static void write(Path file, String value) {
        try {
            Files.writeString(file, value + "\n", StandardCharsets.UTF_8);
            try {
                Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
            } catch (UnsupportedOperationException ignored) {
                // not a POSIX file system: the file keeps the default permissions
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        }
    }
}
