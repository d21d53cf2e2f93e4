package io.kbstream.api.http;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * API keys and the tenants they belong to. Only SHA-256 hashes of keys are configured ({@code
 * kb.api.keys = tenant:sha256hex(key),...}) and held; a presented key is hashed and compared with
 * every configured hash in constant time ({@link MessageDigest#isEqual}), so neither the key nor
 * which hash nearly matched leaks through timing.
 */
public final class ApiKeys {

    /** Tenant ids: lower-case, no ':' or '/', so they are safe in Redis keys and Kafka keys. */
    public static final Pattern TENANT = Pattern.compile("[a-z0-9][a-z0-9_-]{0,62}");

    private static final Pattern HASH = Pattern.compile("[0-9a-f]{64}");
    private static final SecureRandom RANDOM = new SecureRandom();

    private record Entry(String tenant, byte[] hash) {}

    private final List<Entry> entries;

    private ApiKeys(List<Entry> entries) {
        this.entries = List.copyOf(entries);
    }

    /**
     * Parses {@code tenant:sha256hex} entries.
     *
     * @throws IllegalArgumentException naming the bad entry's position (never its hash)
     */
    public static ApiKeys parse(List<String> configured) {
        List<Entry> entries = new ArrayList<>();
        for (int i = 0; i < configured.size(); i++) {
            String entry = configured.get(i).trim();
            int colon = entry.indexOf(':');
            String tenant = colon < 0 ? "" : entry.substring(0, colon);
            String hash = colon < 0 ? "" : entry.substring(colon + 1).toLowerCase();
            if (!TENANT.matcher(tenant).matches() || !HASH.matcher(hash).matches()) {
                throw new IllegalArgumentException(
                        "kb.api.keys entry "
                                + (i + 1)
                                + " is not tenant:sha256hex(key) with tenant "
                                + TENANT.pattern());
            }
            entries.add(new Entry(tenant, HexFormat.of().parseHex(hash)));
        }
        return new ApiKeys(entries);
    }

    /** The tenant of {@code key}, if it is a configured key. */
    public Optional<String> tenantOf(String key) {
        if (key == null || key.isEmpty() || key.length() > 512) {
            return Optional.empty();
        }
        byte[] presented = sha256(key);
        String found = null;
        // no early exit: every entry is compared, whatever matches
        for (Entry e : entries) {
            if (MessageDigest.isEqual(presented, e.hash()) && found == null) {
                found = e.tenant();
            }
        }
        return Optional.ofNullable(found);
    }

    /** The tenant named by an {@code Authorization: Bearer <key>} header value. */
    public Optional<String> tenantOfHeader(String authorization) {
        if (authorization == null || !authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return Optional.empty();
        }
        return tenantOf(authorization.substring(7).trim());
    }

    public int size() {
        return entries.size();
    }

    /** The configured tenants, each once, in configuration order. */
    public List<String> tenants() {
        return entries.stream().map(Entry::tenant).distinct().toList();
    }

    /** {@code sha256hex(key)}: what goes into {@code kb.api.keys}. */
    public static String hash(String key) {
        return HexFormat.of().formatHex(sha256(key));
    }

    /** A new random key: 32 bytes from a SecureRandom, URL-safe base64 without padding. */
    public static String mint() {
        byte[] bytes = new byte[32];
        RANDOM.nextBytes(bytes);
        return java.util.Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    /** The {@code kb.api.keys} entry for a tenant and key. */
    public static String configEntry(String tenant, String key) {
        if (!TENANT.matcher(tenant).matches()) {
            throw new IllegalArgumentException("tenant ids match " + TENANT.pattern());
        }
        return tenant + ":" + hash(key);
    }

    /** The SHA-256 of a key, as stored. */
    public static byte[] digest(String key) {
        return sha256(key);
    }

    private static byte[] sha256(String text) {
        try {
            return MessageDigest.getInstance("SHA-256")
                    .digest(text.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JVM", e);
        }
    }
}
