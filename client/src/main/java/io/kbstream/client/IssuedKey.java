package io.kbstream.client;

import java.time.Instant;

/** A new key: the secret is in this answer only; the prefix names it afterwards. */
public record IssuedKey(String tenant, String key, String prefix, Instant expiresAt) {

    @Override
    public String toString() {
        // never print the secret by accident
        return "IssuedKey[tenant="
                + tenant
                + ", prefix="
                + prefix
                + ", expiresAt="
                + expiresAt
                + "]";
    }
}
