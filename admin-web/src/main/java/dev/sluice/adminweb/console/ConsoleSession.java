package dev.sluice.adminweb.console;

import io.micronaut.context.annotation.Value;
import io.micronaut.core.annotation.Nullable;
import jakarta.inject.Singleton;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Optional;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The console's login check and its stateless session cookie.
 *
 * <p>The cookie holds {@code v2.<user>.<role>.<expiry epoch seconds>.<HMAC-SHA256>}, the MAC keyed
 * with the console's admin token over the rest: it proves the holder signed in (with the admin token,
 * or with a named token the admin API accepted, see {@code GET /whoami}) without carrying any token.
 * A viewer's session reads only. Rotating the token ends every session; {@code sluice.console.session-ttl}
 * (default 12h) bounds how long a stolen cookie stays good. Logging out removes the cookie from
 * the browser only: there is no server-side session store to revoke from.
 */
@Singleton
public class ConsoleSession {

    /** The cookie's name. */
    public static final String COOKIE = "sluice_console";

    private static final String VERSION = "v2";
    /** The user of a session signed in with the console's own admin token. */
    public static final String MAIN_USER = "admin-token";

    /** Who a session belongs to; a viewer can look but not change. */
    public record User(String name, boolean viewer) {
        /** The actor the audit log shows for this user's changes. */
        public String actor() {
            return MAIN_USER.equals(name) ? "console" : name + " (console)";
        }
    }
    private static final String HMAC = "HmacSHA256";
    private static final Base64.Encoder B64 = Base64.getUrlEncoder().withoutPadding();

    private final byte[] token;
    private final byte[] tokenDigest;
    private final Duration ttl;

    public ConsoleSession(@Value("${sluice.admin.token:}") @Nullable String adminToken,
                          @Value("${sluice.console.session-ttl:12h}") Duration ttl) {
        this.token = adminToken == null ? new byte[0] : adminToken.getBytes(StandardCharsets.UTF_8);
        this.tokenDigest = sha256(this.token);
        this.ttl = ttl;
    }

    /** Whether an admin token is configured at all; without one nobody can log in. */
    public boolean configured() {
        return token.length > 0;
    }

    /** How long a session lasts; the cookie's Max-Age. */
    public Duration ttl() {
        return ttl;
    }

    /**
     * Compares a submitted token with the admin token in constant time: both sides are hashed
     * first, so neither content nor length leaks through timing.
     */
    public boolean tokenMatches(@Nullable String candidate) {
        if (!configured() || candidate == null || candidate.isEmpty()) {
            return false;
        }
        return MessageDigest.isEqual(tokenDigest, sha256(candidate.getBytes(StandardCharsets.UTF_8)));
    }

    /** A fresh session of the admin token's own user that expires {@link #ttl()} after {@code now}. */
    public String issue(Instant now) {
        return issue(now, new User(MAIN_USER, false));
    }

    /** A fresh session of {@code user} that expires {@link #ttl()} after {@code now}. */
    public String issue(Instant now, User user) {
        if (!configured()) {
            throw new IllegalStateException("sluice.admin.token is not set");
        }
        long expires = now.plus(ttl).getEpochSecond();
        String name = B64.encodeToString(user.name().getBytes(StandardCharsets.UTF_8));
        String role = user.viewer() ? "V" : "A";
        return VERSION + "." + name + "." + role + "." + expires + "." + mac(name, role, expires);
    }

    /** Whether a cookie value is a session this token issued and that has not expired. */
    public boolean valid(@Nullable String value, Instant now) {
        return user(value, now).isPresent();
    }

    /** The user of a valid, unexpired session. */
    public Optional<User> user(@Nullable String value, Instant now) {
        if (!configured() || value == null) {
            return Optional.empty();
        }
        String[] parts = value.split("\\.", -1);
        if (parts.length != 5 || !VERSION.equals(parts[0]) || !(parts[2].equals("A") || parts[2].equals("V"))) {
            return Optional.empty();
        }
        long expires;
        String name;
        try {
            expires = Long.parseLong(parts[3]);
            name = new String(Base64.getUrlDecoder().decode(parts[1]), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
        boolean macOk = MessageDigest.isEqual(
                mac(parts[1], parts[2], expires).getBytes(StandardCharsets.US_ASCII),
                parts[4].getBytes(StandardCharsets.US_ASCII));
        return macOk && now.getEpochSecond() < expires ? Optional.of(new User(name, parts[2].equals("V"))) : Optional.empty();
    }

    /**
     * The CSRF token of a session: a MAC over the session value, so it is bound to this session,
     * needs no server-side store and changes when the session does. Every console form carries it.
     */
    public String csrfToken(String sessionValue) {
        return macOf("sluice-console-csrf:" + sessionValue);
    }

    /** Whether {@code submitted} is the CSRF token of the session {@code sessionValue} (constant time). */
    public boolean csrfMatches(@Nullable String sessionValue, @Nullable String submitted) {
        if (!configured() || sessionValue == null || submitted == null || submitted.isEmpty()) {
            return false;
        }
        return MessageDigest.isEqual(csrfToken(sessionValue).getBytes(StandardCharsets.US_ASCII),
                submitted.getBytes(StandardCharsets.US_ASCII));
    }

    /** Finds a valid session among raw cookie values. */
    public boolean valid(Optional<String> value, Instant now) {
        return value.map(v -> valid(v, now)).orElse(false);
    }

    private String mac(String name, String role, long expires) {
        return macOf("sluice-console-session:" + VERSION + ":" + name + ":" + role + ":" + expires);
    }

    private String macOf(String message) {
        try {
            Mac mac = Mac.getInstance(HMAC);
            mac.init(new SecretKeySpec(token, HMAC));
            return B64.encodeToString(mac.doFinal(message.getBytes(StandardCharsets.UTF_8)));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 unavailable", e);
        }
    }

    private static byte[] sha256(byte[] in) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(in);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("SHA-256 unavailable", e);
        }
    }
}
