package io.kbstream.client;

import java.time.Instant;

/** A key as listed: its prefix and lifetime, never the secret. */
public record ApiKeyInfo(
        String prefix, Instant createdAt, Instant expiresAt, Instant revokedAt, boolean live) {}
