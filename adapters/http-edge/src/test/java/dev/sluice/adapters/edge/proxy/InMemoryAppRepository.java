package dev.sluice.adapters.edge.proxy;

import dev.sluice.application.port.AppRepository;
import dev.sluice.domain.app.ApiKey;
import dev.sluice.domain.app.App;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;

/** Apps and key hashes kept in memory, for the proxy tests. */
final class InMemoryAppRepository implements AppRepository {
    private final List<App> apps = new CopyOnWriteArrayList<>();
    private final List<ApiKey> keys = new CopyOnWriteArrayList<>();

    @Override
    public List<App> findAllApps() {
        return List.copyOf(apps);
    }

    @Override
    public Optional<App> findApp(UUID id) {
        return apps.stream().filter(a -> a.id().equals(id)).findFirst();
    }

    @Override
    public void insertApp(App app) {
        apps.add(app);
    }

    @Override
    public List<ApiKey> findAllKeys() {
        return List.copyOf(keys);
    }

    @Override
    public List<ApiKey> findKeys(UUID appId) {
        List<ApiKey> out = new ArrayList<>();
        for (ApiKey k : keys) {
            if (k.appId().equals(appId)) {
                out.add(k);
            }
        }
        return out;
    }

    @Override
    public void insertKey(ApiKey key) {
        keys.add(key);
    }

    @Override
    public synchronized boolean revokeKey(UUID appId, UUID keyId, Instant at) {
        for (int i = 0; i < keys.size(); i++) {
            ApiKey k = keys.get(i);
            if (k.id().equals(keyId) && k.appId().equals(appId) && !k.revoked()) {
                keys.set(i, new ApiKey(k.id(), k.appId(), k.prefix(), k.hash(), k.createdAt(), Optional.of(at)));
                return true;
            }
        }
        return false;
    }

    @Override
    public synchronized boolean updatePolicy(UUID appId, dev.sluice.domain.app.AppPolicy policy) {
        for (int i = 0; i < apps.size(); i++) {
            if (apps.get(i).id().equals(appId)) {
                apps.set(i, apps.get(i).withPolicy(policy));
                return true;
            }
        }
        return false;
    }
}
