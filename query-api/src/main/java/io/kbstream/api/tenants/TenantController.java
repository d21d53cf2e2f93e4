package io.kbstream.api.tenants;

import io.javalin.http.Context;
import io.kbstream.api.http.Auth;
import io.kbstream.api.http.TenantDirectory;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Function;

/** {@code GET /v1/tenant}: the calling tenant's usage, limits and embedding models. */
public final class TenantController {

    private final TenantDirectory directory;
    private final TenantUsage usage;
    private final Function<String, Map<String, Object>> models;

    /** {@code models}: a tenant's models and migration progress (the models feature's view). */
    public TenantController(
            TenantDirectory directory,
            TenantUsage usage,
            Function<String, Map<String, Object>> models) {
        this.directory = directory;
        this.usage = usage;
        this.models = models;
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
        body.put("model", models.apply(tenant));
        ctx.json(body);
    }
}
