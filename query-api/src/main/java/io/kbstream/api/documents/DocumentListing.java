package io.kbstream.api.documents;

import io.kbstream.api.http.ApiException;
import io.kbstream.api.resilience.RedisGuard;
import io.kbstream.api.resilience.ShardCalls;
import io.kbstream.core.redis.StatusStore;
import io.kbstream.core.store.ShardedStore;
import io.kbstream.core.store.StoredDocument;
import io.kbstream.schemas.DocumentState;
import io.kbstream.schemas.DocumentStatus;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.NavigableMap;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code GET /v1/documents}: a tenant's documents, a page at a time, merged from the two places
 * that know them. The shards' {@code documents} tables hold every indexed document (durably); the
 * Redis status index ({@link StatusStore}) holds every document with a status written in the last
 * {@code kb.status.ttl}: acknowledged and not yet indexed (ACCEPTED, PROCESSING), FAILED, and
 * recently INDEXED. A document is in one or the other from its 202 on, so each page asks every
 * shard (on the search's read routes) and Redis for the ids after the cursor and merges them by id,
 * the higher version winning.
 *
 * <p>Keyset pagination: each source answers at most {@code limit} ids after the cursor in byte
 * order; ids up to the smallest last id of a source that filled its page are known from every
 * source, so the page is the first {@code limit} of those and the cursor is the last id looked at.
 * A later page starts strictly after it: no document is repeated, and none that exists for the
 * whole walk is missed, whatever is added meanwhile (an id added before the cursor appears in the
 * next walk). The status filter applies after the merge (a document's status is its newest
 * version's), so a filtered page may hold fewer than {@code limit} documents, or none, and still
 * have a next cursor.
 */
public final class DocumentListing {

    private static final Logger LOG = LoggerFactory.getLogger(DocumentListing.class);

    /** One listed document; times as ISO-8601 instants (null when unknown). */
    public record Listed(
            String id,
            String title,
            DocumentState status,
            String reason,
            long version,
            int chunkCount,
            String uploadedAt,
            String updatedAt) {}

    /**
     * A page; {@code nextCursor} null at the end. {@code partial}: Redis did not answer, so only
     * indexed documents (from the shards) are listed.
     */
    public record Page(List<Listed> documents, String nextCursor, boolean partial) {}

    private final ShardedStore store;
    private final ShardCalls shards;
    private final StatusStore statuses;
    private final RedisGuard guard;
    private final long timeoutNanos;
    private final long retryAfterSeconds;

    /**
     * @param timeout how long a page waits for the shards (the search's shard timeout)
     */
    public DocumentListing(
            ShardedStore store,
            ShardCalls shards,
            StatusStore statuses,
            RedisGuard guard,
            Duration timeout,
            long retryAfterSeconds) {
        this.store = store;
        this.shards = shards;
        this.statuses = statuses;
        this.guard = guard;
        this.timeoutNanos = timeout.toNanos();
        this.retryAfterSeconds = retryAfterSeconds;
    }

    Page list(String tenant, ListingRequest request) {
        String after = request.afterId();
        int limit = request.limit();
        List<CompletableFuture<List<StoredDocument>>> calls = new ArrayList<>();
        for (int s = 0; s < store.shardCount(); s++) {
            calls.add(
                    shards.call(
                            s, "list", node -> store.listDocuments(node, tenant, after, limit)));
        }
        StatusStore.Page recent = guard.call(() -> statuses.list(tenant, after, limit), null);
        long deadline = System.nanoTime() + timeoutNanos;
        List<List<StoredDocument>> pages = new ArrayList<>();
        for (CompletableFuture<List<StoredDocument>> call : calls) {
            pages.add(await(call, deadline));
        }
        return merge(pages, recent, request);
    }

    /**
     * One page from each shard's and Redis' answers (null: Redis did not answer), each at most
     * {@code request.limit()} ids after the cursor in byte order.
     */
    static Page merge(
            List<List<StoredDocument>> shardPages,
            StatusStore.Page recent,
            ListingRequest request) {
        int limit = request.limit();
        NavigableMap<String, Listed> byId = new TreeMap<>(ListingCursor.BYTE_ORDER);
        String bound = null;
        for (List<StoredDocument> rows : shardPages) {
            rows.forEach(row -> keepNewer(byId, fromShard(row)));
            if (rows.size() >= limit) {
                bound = min(bound, rows.get(rows.size() - 1).id());
            }
        }
        if (recent != null) {
            recent.statuses().forEach(s -> keepNewer(byId, fromStatus(s)));
            if (recent.full()) {
                bound = min(bound, recent.last());
            }
        }
        NavigableMap<String, Listed> known = bound == null ? byId : byId.headMap(bound, true);
        List<Listed> looked = new ArrayList<>(known.values());
        String next = bound;
        if (looked.size() > limit) {
            looked = looked.subList(0, limit);
            next = looked.get(limit - 1).id();
        }
        List<Listed> page =
                looked.stream()
                        .filter(d -> request.status() == null || d.status() == request.status())
                        .toList();
        return new Page(page, next == null ? null : ListingCursor.encode(next), recent == null);
    }

    /**
     * A shard's page; a shard that does not answer fails the listing (503): a page without it would
     * move the cursor past its documents for good.
     */
    private List<StoredDocument> await(
            CompletableFuture<List<StoredDocument>> call, long deadline) {
        try {
            return call.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw unavailable();
        } catch (Exception e) {
            LOG.debug("a shard did not answer a listing: {}", e.toString());
            throw unavailable();
        }
    }

    private ApiException unavailable() {
        return ApiException.unavailable(
                "a shard did not answer; the listing needs every shard", retryAfterSeconds);
    }

    /** The newer version wins; at the same version the shard's row (INDEXED: the final stage). */
    private static void keepNewer(NavigableMap<String, Listed> byId, Listed candidate) {
        byId.merge(
                candidate.id(),
                candidate,
                (held, neu) -> {
                    boolean newer =
                            neu.version() > held.version()
                                    || (neu.version() == held.version()
                                            && neu.status() == DocumentState.INDEXED);
                    Listed winner = newer ? neu : held;
                    Listed other = newer ? held : neu;
                    return winner.title() != null || other.title() == null
                            ? winner
                            : new Listed(
                                    winner.id(),
                                    other.title(),
                                    winner.status(),
                                    winner.reason(),
                                    winner.version(),
                                    winner.chunkCount(),
                                    winner.uploadedAt(),
                                    winner.updatedAt());
                });
    }

    private static Listed fromShard(StoredDocument row) {
        return new Listed(
                row.id(),
                row.title(),
                DocumentState.valueOf(row.status()),
                row.reason(),
                row.version(),
                row.chunkCount(),
                text(row.createdAt()),
                text(row.updatedAt()));
    }

    private static Listed fromStatus(StatusStore.Titled titled) {
        DocumentStatus s = titled.status();
        return new Listed(
                s.getDocumentId(),
                titled.title(),
                s.getState(),
                s.getReason(),
                s.getVersion(),
                s.getChunkCount(),
                text(s.getUploadedAt()),
                text(s.getUpdatedAt()));
    }

    private static String text(Instant instant) {
        return instant == null ? null : instant.toString();
    }

    private static String min(String a, String b) {
        return a == null || ListingCursor.BYTE_ORDER.compare(b, a) < 0 ? b : a;
    }
}
