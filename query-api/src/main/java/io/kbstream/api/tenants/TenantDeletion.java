package io.kbstream.api.tenants;

import io.kbstream.api.events.StatusFanout;
import io.kbstream.core.config.ApiOptions;
import io.kbstream.core.config.KafkaOptions;
import io.kbstream.core.config.KbConfig;
import io.kbstream.core.redis.RedisKeys;
import io.kbstream.core.store.ShardedStore;
import io.kbstream.core.tenant.TenantCatalog;
import io.kbstream.core.tenant.TenantTombstones;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import redis.clients.jedis.UnifiedJedis;
import redis.clients.jedis.params.ScanParams;
import redis.clients.jedis.resps.ScanResult;

/**
 * Removes a tenant that the catalog marks as being deleted, in the background: first it waits one
 * catalog refresh, so no instance accepts the tenant's keys any more; then it publishes the
 * tenant's tombstone on {@code kb.tenant-events} and waits until the indexing job has checkpointed
 * past it (so the job's keyed state of the tenant is gone, and every earlier event of the tenant is
 * either written or will be dropped: nothing can bring rows back after the next step); then it
 * deletes the tenant's documents, chunks and keyword statistics on every shard, its Redis keys
 * (statuses, generation, cached searches, search counts, rate bucket), and finally its catalog row
 * and keys. Every step is idempotent, so a deletion cut short (the instance died) is simply run
 * again: every instance resumes the tenants it finds marked when it starts. Progress goes to the
 * tenant's WebSocket clients on this instance ({@code tenant-deletion} messages, then {@code
 * tenant-deleted}).
 */
public final class TenantDeletion implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(TenantDeletion.class);

    private final KbConfig config;
    private final Producer<byte[], byte[]> producer;
    private final TenantCatalog catalog;
    private final ShardedStore store;
    private final UnifiedJedis redis;
    private final StatusFanout fanout;
    private final Duration settle;
    private final Set<String> running = ConcurrentHashMap.newKeySet();
    // a few tenants at once: each one waits for the job's confirmation, independently
    private final ExecutorService worker =
            Executors.newFixedThreadPool(
                    4,
                    r -> {
                        Thread t = new Thread(r, "kb-tenant-deletion");
                        t.setDaemon(true);
                        return t;
                    });

    /**
     * @param settle how long to wait before removing data: the catalog refresh period, after which
     *     every instance refuses the tenant's keys
     */
    public TenantDeletion(
            KbConfig config,
            Producer<byte[], byte[]> producer,
            TenantCatalog catalog,
            ShardedStore store,
            UnifiedJedis redis,
            StatusFanout fanout,
            Duration settle) {
        this.config = config;
        this.producer = producer;
        this.catalog = catalog;
        this.store = store;
        this.redis = redis;
        this.fanout = fanout;
        this.settle = settle;
    }

    /** Starts removing {@code tenant} (already marked in the catalog) unless it is running. */
    public void start(String tenant) {
        if (running.add(tenant)) {
            worker.execute(() -> run(tenant));
        }
    }

    /** Resumes every deletion the catalog marks (after a restart); false if it cannot be read. */
    public boolean resumePending() {
        try {
            catalog.tenants().stream()
                    .filter(TenantCatalog.Tenant::deleting)
                    .forEach(t -> start(t.id()));
            return true;
        } catch (RuntimeException e) {
            LOG.warn("cannot resume tenant deletions: {}", e.toString());
            return false;
        }
    }

    private void run(String tenant) {
        try {
            for (int attempt = 1; ; attempt++) {
                try {
                    removeAll(tenant);
                    return;
                } catch (RuntimeException e) {
                    LOG.warn(
                            "deleting tenant {} failed (attempt {}): {}",
                            tenant,
                            attempt,
                            e.toString());
                    progress(tenant, "retrying", Map.of("reason", "a step failed; retrying"));
                    Thread.sleep(Math.min(30_000, 1_000L * attempt));
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            running.remove(tenant);
        }
    }

    private void removeAll(String tenant) throws InterruptedException {
        progress(tenant, "keys-refused", Map.of());
        // and an upload accepted just before the refusal is on the log or failed within its send
        // timeout: the tombstone's mark must lie after every acknowledged event of the tenant
        Thread.sleep(settle.toMillis() + config.get(KafkaOptions.SEND_TIMEOUT).toMillis() + 500);
        RecordMetadata tombstone = TenantTombstones.publish(config, producer, tenant);
        boolean confirmed =
                TenantTombstones.awaitApplied(
                        config, tombstone, config.get(ApiOptions.TENANT_DELETION_JOB_WAIT));
        if (!confirmed) {
            LOG.warn(
                    "the indexing job did not confirm tenant {}'s tombstone in time; removing its"
                            + " rows anyway (the job drops the tenant's earlier events when it"
                            + " reads the tombstone)",
                    tenant);
        }
        progress(tenant, "job-state", Map.of("confirmed", confirmed));
        long documents = store.deleteTenant(tenant);
        progress(tenant, "shards", Map.of("shards", store.shardCount(), "documents", documents));
        long keys = deleteRedisKeys(tenant);
        progress(tenant, "redis", Map.of("keys", keys));
        catalog.remove(tenant);
        Map<String, Object> done = new LinkedHashMap<>();
        done.put("type", "tenant-deleted");
        done.put("tenant", tenant);
        done.put("documents", documents);
        fanout.publish(tenant, done);
        LOG.info("tenant {} deleted ({} documents)", tenant, documents);
    }

    /** Every Redis key of the tenant (RedisKeys puts the tenant right after the kind). */
    long deleteRedisKeys(String tenant) {
        long deleted =
                redis.del(
                        RedisKeys.generation(tenant),
                        RedisKeys.statusIndex(tenant),
                        RedisKeys.rateBucket(tenant),
                        RedisKeys.usageDocuments(tenant),
                        RedisKeys.usageBytes(tenant));
        for (String pattern :
                List.of(
                        RedisKeys.status(tenant, "*"),
                        RedisKeys.search(tenant, 0, "*").replace(":0:", ":*:"),
                        RedisKeys.searchCounts(tenant, 0).replaceFirst(":0$", ":*"))) {
            String cursor = ScanParams.SCAN_POINTER_START;
            do {
                ScanResult<String> page =
                        redis.scan(cursor, new ScanParams().match(pattern).count(1000));
                if (!page.getResult().isEmpty()) {
                    deleted += redis.del(page.getResult().toArray(String[]::new));
                }
                cursor = page.getCursor();
            } while (!ScanParams.SCAN_POINTER_START.equals(cursor));
        }
        return deleted;
    }

    private void progress(String tenant, String step, Map<String, ?> details) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("type", "tenant-deletion");
        m.put("tenant", tenant);
        m.put("step", step);
        m.putAll(details);
        fanout.publish(tenant, m);
    }

    @Override
    public void close() {
        worker.shutdownNow();
    }
}
