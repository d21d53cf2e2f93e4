package io.kbstream.api.http;

import io.javalin.http.Context;

/**
 * The before-handler of every {@code /v1} HTTP route: resolves the caller's tenant from the bearer
 * key (401 otherwise), then charges the tenant's rate limit, shared by every instance (429 with
 * Retry-After).
 */
public final class Auth {

    private static final String TENANT = "kb.tenant";

    private final TenantDirectory keys;
    private final SharedRateLimiter limiter;
    private final TenantMeters meters;

    public Auth(TenantDirectory keys, SharedRateLimiter limiter, TenantMeters meters) {
        this.keys = keys;
        this.limiter = limiter;
        this.meters = meters;
    }

    public void authenticate(Context ctx) {
        String tenant =
                keys.tenantOfHeader(ctx.header("Authorization"))
                        .orElseThrow(ApiException::unauthorized);
        meters.seen(tenant);
        long retryAfter = limiter.acquire(tenant, keys.limits(tenant));
        if (retryAfter > 0) {
            meters.rateLimited(tenant);
            throw ApiException.rateLimited(retryAfter);
        }
        ctx.attribute(TENANT, tenant);
    }

    /** The authenticated tenant of this request. */
    public static String tenant(Context ctx) {
        String tenant = ctx.attribute(TENANT);
        if (tenant == null) {
            throw ApiException.unauthorized();
        }
        return tenant;
    }
}
