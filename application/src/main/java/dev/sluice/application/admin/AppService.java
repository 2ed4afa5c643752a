package dev.sluice.application.admin;

import dev.sluice.application.config.LiveConfiguration;
import dev.sluice.application.port.AppRepository;
import dev.sluice.domain.app.ApiKey;
import dev.sluice.domain.app.App;
import dev.sluice.domain.app.AppPolicy;
import dev.sluice.domain.app.KeyHash;

import java.security.SecureRandom;
import java.time.Clock;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.regex.Pattern;

/** Managing client apps and their gateway keys. Keys are stored as hashes; revocation is immediate. */
public final class AppService {
    static final String KEY_PREFIX = "sk-sluice-";
    private static final int KEY_RANDOM_CHARS = 40;
    private static final int VISIBLE_PREFIX = KEY_PREFIX.length() + 4;
    private static final char[] ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789".toCharArray();
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9 ._-]{0,99}");

    private final AppRepository repository;
    private final LiveConfiguration configuration;
    private final Clock clock;
    private final SecureRandom random = new SecureRandom();

    public AppService(AppRepository repository, LiveConfiguration configuration, Clock clock) {
        this.repository = repository;
        this.configuration = configuration;
        this.clock = clock;
    }

    public List<App> list() {
        return repository.findAllApps().stream().sorted(Comparator.comparing(App::name)).toList();
    }

    public Optional<App> get(UUID id) {
        return repository.findApp(id);
    }

    public App create(String name) {
        if (name == null || name.isBlank()) {
            throw new InvalidFieldsException(List.of(new FieldError("name", "is required")));
        }
        if (!NAME.matcher(name).matches()) {
            throw new InvalidFieldsException(List.of(new FieldError("name",
                    "must be 1-100 letters, digits, spaces, '.', '_' or '-', starting with a letter or digit")));
        }
        if (repository.findAllApps().stream().anyMatch(a -> a.name().equalsIgnoreCase(name))) {
            throw new InvalidFieldsException(List.of(new FieldError("name", "is already used by another app")));
        }
        App app = new App(UUID.randomUUID(), name);
        repository.insertApp(app);
        configuration.changed();
        return app;
    }

    /** Replaces the app's limits, queue settings, output cap and quota; empty when there is no such app. */
    public Optional<App> updatePolicy(UUID appId, AppPolicyCommand command) {
        AppPolicy policy = command.toPolicy();
        if (!repository.updatePolicy(appId, policy)) {
            return Optional.empty();
        }
        configuration.changed();
        return repository.findApp(appId);
    }

    public Optional<List<ApiKey>> keys(UUID appId) {
        return repository.findApp(appId).map(app -> repository.findKeys(appId));
    }

    public Optional<IssuedKey> issueKey(UUID appId) {
        if (repository.findApp(appId).isEmpty()) {
            return Optional.empty();
        }
        StringBuilder key = new StringBuilder(KEY_PREFIX);
        for (int i = 0; i < KEY_RANDOM_CHARS; i++) {
            key.append(ALPHABET[random.nextInt(ALPHABET.length)]);
        }
        String plain = key.toString();
        String prefix = plain.substring(0, VISIBLE_PREFIX);
        ApiKey stored = new ApiKey(UUID.randomUUID(), appId, prefix, KeyHash.of(plain), clock.instant(), Optional.empty());
        repository.insertKey(stored);
        configuration.changed();
        return Optional.of(new IssuedKey(stored.id(), appId, plain, prefix));
    }

    public boolean revokeKey(UUID appId, UUID keyId) {
        boolean revoked = repository.revokeKey(appId, keyId, clock.instant());
        if (revoked) {
            configuration.changed();
        }
        return revoked;
    }
}
