package io.kbstream.api.models;

import io.kbstream.api.events.StatusFanout;
import io.kbstream.api.http.Json;
import io.kbstream.api.resilience.BoundedPools;
import io.kbstream.core.models.ModelMigrations;
import io.kbstream.core.store.TenantModelsCache;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Pushes a model migration's progress to the tenant's WebSocket clients: every {@code interval},
 * for each tenant with a client and a migration running, {@code {"type":"model-migration", active,
 * target, chunks, vectors, missing}}. Only such tenants are counted, so an idle API costs nothing
 * here.
 */
public final class MigrationProgress implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(MigrationProgress.class);

    private final StatusFanout fanout;
    private final TenantModelsCache models;
    private final ModelMigrations migrations;
    private final ScheduledExecutorService timer = BoundedPools.timer("kb-model-progress");

    public MigrationProgress(
            StatusFanout fanout,
            TenantModelsCache models,
            ModelMigrations migrations,
            Duration interval) {
        this.fanout = fanout;
        this.models = models;
        this.migrations = migrations;
        long every = Math.max(100, interval.toMillis());
        timer.scheduleWithFixedDelay(this::tick, every, every, TimeUnit.MILLISECONDS);
    }

    private void tick() {
        for (String tenant : fanout.tenants()) {
            try {
                if (models.get(tenant).target() == null) {
                    continue;
                }
                ModelMigrations.Status s = migrations.status(tenant);
                Map<String, Object> event = new LinkedHashMap<>();
                event.put("type", "model-migration");
                event.put("tenant", tenant);
                event.put("active", s.models().active());
                event.put("target", s.models().target());
                event.put("chunks", s.chunks());
                event.put("vectors", s.vectors());
                event.put("missing", s.missing());
                fanout.publish(tenant, Json.MAPPER.writeValueAsString(event));
            } catch (Exception e) {
                LOG.debug("migration progress of {} not sent: {}", tenant, e.toString());
            }
        }
    }

    @Override
    public void close() {
        timer.shutdownNow();
    }
}
