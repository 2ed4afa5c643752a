package dev.sluice.application.admin;

import java.util.UUID;

/** A newly issued gateway key: the only moment the full key is known to anyone but its holder. */
public record IssuedKey(UUID id, UUID appId, String key, String prefix) {
    @Override
    public String toString() {
        return "IssuedKey[" + id + ", prefix=" + prefix + "]";
    }
}
