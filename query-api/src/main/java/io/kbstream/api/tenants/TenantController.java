package io.kbstream.api.tenants;

import io.javalin.http.Context;
import io.kbstream.api.http.Auth;
import io.kbstream.api.http.TenantDirectory;
import java.util.LinkedHashMap;
import java.util.Map;

/** {@code GET /v1/tenant}: the calling tenant's usage and limits. */
public final class TenantController {

    private final TenantDirectory directory;
    private final TenantUsage usage;

    public TenantController(TenantDirectory directory, TenantUsage usage) {
        this.directory = directory;
        this.usage = usage;
    }

    public void show(Context ctx) {
        String tenant = Auth.tenant(ctx);
        TenantDirectory.Limits limits = directory.limits(tenant);
        TenantUsage.Usage used = usage.usage(tenant);
        Map<String, Object> usageJson = new LinkedHashMap<>();
        usageJson.put("documents", used.documents());
        usageJson.put("bytes", used.bytes());
        Map<String, Object> limitsJson = new LinkedHashMap<>();
        limitsJson.put("documents", limits.maxDocuments());
        limitsJson.put("bytes", limits.maxBytes());
        limitsJson.put("requestsPerSecond", limits.requestsPerSecond());
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("tenant", tenant);
        body.put("usage", usageJson);
        body.put("limits", limitsJson);
        ctx.json(body);
    }
}
