package io.kbstream.api.models;

import io.javalin.http.Context;
import io.kbstream.api.http.Auth;
import io.kbstream.core.models.ModelMigrations;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * {@code GET /v1/tenant/model}: the caller's embedding models (active, migration target, previous)
 * and the migration's progress, counted on the shard primaries.
 */
public final class TenantModelController {

    private final ModelMigrations migrations;

    public TenantModelController(ModelMigrations migrations) {
        this.migrations = migrations;
    }

    public void show(Context ctx) {
        ctx.json(view(Auth.tenant(ctx)));
    }

    /** The tenant's models and migration progress, as {@code GET /v1/tenant} also shows them. */
    public Map<String, Object> view(String tenant) {
        ModelMigrations.Status s = migrations.status(tenant);
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("active", s.models().active());
        body.put("target", s.models().target());
        body.put("previous", s.models().previous());
        body.put("migrating", s.migrating());
        body.put("chunks", s.chunks());
        body.put("vectors", s.vectors());
        body.put("missing", s.missing());
        return body;
    }
}
