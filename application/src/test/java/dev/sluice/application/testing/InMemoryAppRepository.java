package dev.sluice.application.testing;

import dev.sluice.application.port.AppRepository;
import dev.sluice.domain.app.ApiKey;
import dev.sluice.domain.app.App;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/** The app and key store of application tests; {@code AppRepositoryContract} keeps it honest. */
public final class InMemoryAppRepository implements AppRepository {
    private final Map<UUID, App> apps = new LinkedHashMap<>();
    private final Map<UUID, ApiKey> keys = new LinkedHashMap<>();

    @Override
    public synchronized List<App> findAllApps() {
        return new ArrayList<>(apps.values());
    }

    @Override
    public synchronized Optional<App> findApp(UUID id) {
        return Optional.ofNullable(apps.get(id));
    }

    @Override
    public synchronized void insertApp(App app) {
        if (apps.putIfAbsent(app.id(), app) != null) {
            throw new IllegalStateException("app " + app.id() + " exists");
        }
    }

    @Override
    public synchronized List<ApiKey> findAllKeys() {
        return new ArrayList<>(keys.values());
    }

    @Override
    public synchronized List<ApiKey> findKeys(UUID appId) {
        return keys.values().stream().filter(k -> k.appId().equals(appId)).toList();
    }

    @Override
    public synchronized void insertKey(ApiKey key) {
        if (keys.putIfAbsent(key.id(), key) != null) {
            throw new IllegalStateException("key " + key.id() + " exists");
        }
    }

    @Override
    public synchronized boolean revokeKey(UUID appId, UUID keyId, Instant at) {
        ApiKey key = keys.get(keyId);
        if (key == null || !key.appId().equals(appId) || key.revoked()) {
            return false;
        }
        keys.put(keyId, new ApiKey(key.id(), key.appId(), key.prefix(), key.hash(), key.createdAt(), Optional.of(at)));
        return true;
    }

    @Override
    public synchronized boolean updatePolicy(UUID appId, dev.sluice.domain.app.AppPolicy policy) {
        App app = apps.get(appId);
        if (app == null) {
            return false;
        }
        apps.put(appId, app.withPolicy(policy));
        return true;
    }
}
