package dev.sluice.domain.app;

import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/** An immutable index of the live (unrevoked) keys by hash, and of the apps by name. */
public final class KeyTable {
    private final Map<String, Caller> callersByHash;
    private final Map<String, App> appsByName;
    private final Map<UUID, App> appsById;

    private KeyTable(Map<String, Caller> callersByHash, Map<String, App> appsByName) {
        this.callersByHash = callersByHash;
        this.appsByName = appsByName;
        Map<UUID, App> byId = new HashMap<>();
        appsByName.values().forEach(a -> byId.put(a.id(), a));
        this.appsById = Map.copyOf(byId);
    }

    /** The policy of the caller's app: its limits, queue settings and quota (the default for unregistered callers). */
    public AppPolicy policyOf(Caller caller) {
        return caller.appId().map(appsById::get).map(App::policy).orElse(AppPolicy.DEFAULT);
    }

    public static KeyTable empty() {
        return new KeyTable(Map.of(), Map.of());
    }

    public static KeyTable of(Collection<App> apps, Collection<ApiKey> keys) {
        Map<UUID, App> appsById = new HashMap<>();
        Map<String, App> byName = new HashMap<>();
        for (App app : apps) {
            appsById.put(app.id(), app);
            byName.put(app.name(), app);
        }
        Map<String, Caller> byHash = new HashMap<>();
        for (ApiKey key : keys) {
            App app = appsById.get(key.appId());
            if (app == null || key.revoked()) {
                continue;
            }
            byHash.put(key.hash(), new Caller(Optional.of(app.id()), app.name(), Optional.of(key.id())));
        }
        return new KeyTable(Map.copyOf(byHash), Map.copyOf(byName));
    }

    /** The caller a presented key belongs to; empty for unknown or revoked keys. */
    public Optional<Caller> authenticate(String presentedKey) {
        return Optional.ofNullable(callersByHash.get(KeyHash.of(presentedKey)));
    }

    /** With keys switched off, the App-Name header names the caller; a registered app keeps its id. */
    public Caller byAppName(String appName) {
        App app = appsByName.get(appName);
        return new Caller(app == null ? Optional.empty() : Optional.of(app.id()), appName, Optional.empty());
    }
}
