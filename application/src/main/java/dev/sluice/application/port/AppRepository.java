package dev.sluice.application.port;

import dev.sluice.domain.app.ApiKey;
import dev.sluice.domain.app.App;
import dev.sluice.domain.app.AppPolicy;

import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/** Where client apps and their gateway keys (hashes only) are kept. */
public interface AppRepository {
    List<App> findAllApps();

    Optional<App> findApp(UUID id);

    void insertApp(App app);

    List<ApiKey> findAllKeys();

    List<ApiKey> findKeys(UUID appId);

    void insertKey(ApiKey key);

    /** Replaces an app's limits, queue settings, output cap and quota; false when there is no such app. */
    boolean updatePolicy(UUID appId, AppPolicy policy);

    /** Marks a key revoked; false when the app has no such live key. */
    boolean revokeKey(UUID appId, UUID keyId, Instant at);
}
