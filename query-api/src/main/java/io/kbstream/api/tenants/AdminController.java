package io.kbstream.api.tenants;

import com.fasterxml.jackson.databind.JsonNode;
import io.javalin.http.Context;
import io.kbstream.api.http.ApiException;
import io.kbstream.api.http.ApiKeys;
import io.kbstream.api.http.Json;
import io.kbstream.api.http.TenantDirectory;
import io.kbstream.core.store.StoreException;
import io.kbstream.core.tenant.TenantCatalog;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import java.util.regex.Pattern;

/**
 * The admin API under {@code /admin/v1}: tenants, their keys and quotas. Every request carries the
 * operator key ({@code Authorization: Bearer <operator key>}), whose SHA-256 is configured ({@code
 * kb.api.operator-key-hash}) and compared in constant time; without it: 401. A new key's secret is
 * in the answer that creates it and nowhere else.
 */
public final class AdminController {

    private static final Pattern PREFIX = Pattern.compile("[A-Za-z0-9_-]{1,64}");

    private final byte[] operatorHash;
    private final TenantCatalog catalog;
    private final TenantDirectory directory;
    private final TenantDeletion deletion;
    private final Clock clock;

    /**
     * @param operatorKeyHash sha256hex of the operator key; empty disables the admin API (401)
     */
    public AdminController(
            String operatorKeyHash,
            TenantCatalog catalog,
            TenantDirectory directory,
            TenantDeletion deletion,
            Clock clock) {
        String hash = operatorKeyHash == null ? "" : operatorKeyHash.trim().toLowerCase();
        if (!hash.isEmpty() && !hash.matches("[0-9a-f]{64}")) {
            throw new IllegalArgumentException("kb.api.operator-key-hash is not sha256hex(key)");
        }
        this.operatorHash = hash.isEmpty() ? null : HexFormat.of().parseHex(hash);
        this.catalog = catalog;
        this.directory = directory;
        this.deletion = deletion;
        this.clock = clock;
    }

    /** The before-handler of {@code /admin/*}: 401 without the operator key. */
    public void authenticate(Context ctx) {
        String header = ctx.header("Authorization");
        if (operatorHash == null
                || header == null
                || !header.regionMatches(true, 0, "Bearer ", 0, 7)
                || header.length() > 600
                || !MessageDigest.isEqual(
                        ApiKeys.digest(header.substring(7).trim()), operatorHash)) {
            throw new ApiException(
                    401,
                    "unauthorized",
                    "missing or invalid operator key (Authorization: Bearer <operator key>)",
                    0);
        }
    }

    /** {@code POST /admin/v1/tenants} {@code {"tenant": "acme"}}: 201, or 409 if it exists. */
    public void createTenant(Context ctx) {
        JsonNode body = Json.object(ctx.bodyAsBytes());
        String tenant = tenantId(body.path("tenant").asText(""));
        if (!catalog(() -> catalog.create(tenant))) {
            throw new ApiException(409, "conflict", "tenant " + tenant + " exists already", 0);
        }
        directory.refresh();
        ctx.status(201).json(tenantJson(existing(tenant)));
    }

    /** {@code GET /admin/v1/tenants}. */
    public void listTenants(Context ctx) {
        List<Map<String, Object>> tenants =
                catalog(catalog::tenants).stream().map(this::tenantJson).toList();
        ctx.json(Map.of("tenants", tenants));
    }

    /** {@code GET /admin/v1/tenants/{tenant}}. */
    public void getTenant(Context ctx) {
        ctx.json(tenantJson(existing(tenantId(ctx.pathParam("tenant")))));
    }

    /**
     * {@code DELETE /admin/v1/tenants/{tenant}}: 202; the tenant's keys are refused from now on and
     * its data is removed in the background (progress on the WebSocket).
     */
    public void deleteTenant(Context ctx) {
        String tenant = tenantId(ctx.pathParam("tenant"));
        existing(tenant);
        catalog(() -> catalog.markDeleting(tenant));
        directory.refresh();
        deletion.start(tenant);
        ctx.status(202).json(Map.of("tenant", tenant, "status", "DELETING"));
    }

    /**
     * {@code PUT /admin/v1/tenants/{tenant}/quotas} {@code {"documents", "bytes",
     * "requestsPerSecond"}}, each optional and positive.
     */
    public void setQuotas(Context ctx) {
        String tenant = tenantId(ctx.pathParam("tenant"));
        JsonNode body = Json.object(ctx.bodyAsBytes());
        TenantCatalog.QuotaChange change =
                new TenantCatalog.QuotaChange(
                        positiveLong(body, "documents"),
                        positiveLong(body, "bytes"),
                        positiveDouble(body, "requestsPerSecond"));
        if (!catalog(() -> catalog.setQuotas(tenant, change))) {
            throw ApiException.notFound("no tenant " + tenant);
        }
        directory.refresh();
        ctx.json(tenantJson(existing(tenant)));
    }

    /**
     * {@code POST /admin/v1/tenants/{tenant}/keys} {@code {"expiresAt": "2027-01-01T00:00:00Z"}}
     * (optional): 201 with the key, shown this once.
     */
    public void createKey(Context ctx) {
        String tenant = tenantId(ctx.pathParam("tenant"));
        byte[] raw = ctx.bodyAsBytes();
        JsonNode body = raw.length == 0 ? Json.MAPPER.createObjectNode() : Json.object(raw);
        Instant expiresAt = null;
        JsonNode expiry = body.path("expiresAt");
        if (!expiry.isMissingNode() && !expiry.isNull()) {
            try {
                expiresAt = Instant.parse(expiry.asText());
            } catch (DateTimeParseException e) {
                throw ApiException.badRequest(
                        "expiresAt must be an ISO-8601 instant such as 2027-01-01T00:00:00Z");
            }
            if (!expiresAt.isAfter(clock.instant())) {
                throw ApiException.badRequest("expiresAt must be in the future");
            }
        }
        String key = ApiKeys.mint();
        String prefix = key.substring(0, TenantDirectory.PREFIX_LENGTH);
        Instant expires = expiresAt;
        if (!catalog(() -> catalog.addKey(tenant, prefix, ApiKeys.digest(key), expires))) {
            throw ApiException.notFound("no tenant " + tenant);
        }
        directory.refresh();
        Map<String, Object> answer = new LinkedHashMap<>();
        answer.put("tenant", tenant);
        answer.put("key", key);
        answer.put("prefix", prefix);
        answer.put("expiresAt", expires == null ? null : expires.toString());
        ctx.status(201).json(answer);
    }

    /** {@code GET /admin/v1/tenants/{tenant}/keys}: prefixes only, never a secret or hash. */
    public void listKeys(Context ctx) {
        String tenant = tenantId(ctx.pathParam("tenant"));
        existing(tenant);
        Instant now = clock.instant();
        List<Map<String, Object>> keys =
                catalog(() -> catalog.keys(tenant)).stream()
                        .map(
                                k -> {
                                    Map<String, Object> m = new LinkedHashMap<>();
                                    m.put("prefix", k.prefix());
                                    m.put("createdAt", k.createdAt().toString());
                                    m.put("expiresAt", text(k.expiresAt()));
                                    m.put("revokedAt", text(k.revokedAt()));
                                    m.put("live", k.liveAt(now));
                                    return m;
                                })
                        .toList();
        ctx.json(Map.of("tenant", tenant, "keys", keys));
    }

    /** {@code DELETE /admin/v1/tenants/{tenant}/keys/{prefix}}: 200, or 404 if no such live key. */
    public void revokeKey(Context ctx) {
        String tenant = tenantId(ctx.pathParam("tenant"));
        String prefix = ctx.pathParam("prefix");
        if (!PREFIX.matcher(prefix).matches() || !catalog(() -> catalog.revoke(tenant, prefix))) {
            throw ApiException.notFound("tenant " + tenant + " has no live key " + prefix);
        }
        directory.refresh();
        ctx.json(Map.of("tenant", tenant, "prefix", prefix, "revoked", true));
    }

    // ------------------------------------------------------------------ plumbing

    static String tenantId(String tenant) {
        if (tenant == null || !ApiKeys.TENANT.matcher(tenant).matches()) {
            throw ApiException.badRequest("tenant ids match " + ApiKeys.TENANT.pattern());
        }
        return tenant;
    }

    private TenantCatalog.Tenant existing(String tenant) {
        return catalog(() -> catalog.find(tenant))
                .orElseThrow(() -> ApiException.notFound("no tenant " + tenant));
    }

    private Map<String, Object> tenantJson(TenantCatalog.Tenant t) {
        TenantDirectory.Limits limits = directory.limits(t.id());
        Map<String, Object> quotas = new LinkedHashMap<>();
        quotas.put("documents", limits.maxDocuments());
        quotas.put("bytes", limits.maxBytes());
        quotas.put("requestsPerSecond", limits.requestsPerSecond());
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("tenant", t.id());
        m.put("createdAt", t.createdAt().toString());
        m.put("status", t.deleting() ? "DELETING" : "ACTIVE");
        m.put("quotas", quotas);
        return m;
    }

    private static String text(Instant instant) {
        return instant == null ? null : instant.toString();
    }

    private static Long positiveLong(JsonNode body, String field) {
        JsonNode v = body.path(field);
        if (v.isMissingNode() || v.isNull()) {
            return null;
        }
        if (!v.canConvertToLong() || !v.isIntegralNumber() || v.asLong() < 1) {
            throw ApiException.badRequest(field + " must be a whole number of at least 1");
        }
        return v.asLong();
    }

    private static Double positiveDouble(JsonNode body, String field) {
        JsonNode v = body.path(field);
        if (v.isMissingNode() || v.isNull()) {
            return null;
        }
        if (!v.isNumber() || !(v.asDouble() > 0) || v.asDouble() > 1e9) {
            throw ApiException.badRequest(field + " must be a number above 0");
        }
        return v.asDouble();
    }

    /** Catalog calls: shard 0 down is a 503, not a 500. */
    static <T> T catalog(Supplier<T> call) {
        try {
            return call.get();
        } catch (StoreException e) {
            throw ApiException.unavailable("the tenant catalog (shard 0) is not reachable", 5);
        }
    }
}
