package io.kbstream.core.redis;

import io.kbstream.schemas.DocumentState;
import io.kbstream.schemas.DocumentStatus;
import io.kbstream.schemas.DocumentStatuses;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import redis.clients.jedis.UnifiedJedis;

/**
 * Document statuses in Redis, one hash per document. Writes are monotonic, checked atomically in
 * Redis: a lower version never overwrites a higher one, and for one version a later stage
 * (PROCESSING after ACCEPTED, INDEXED or FAILED after PROCESSING) always wins, whatever order the
 * API and the job's subtasks write in.
 */
public final class StatusStore {

    /**
     * KEYS: status hash, the tenant's status index. The title is set only when the writer knows it
     * (ARGV[10] = 1: the API's upload); other writers leave the stored one.
     */
    private static final String PUT_IF_NEWER =
            "local cur = redis.call('HMGET', KEYS[1], 'version', 'rank')\n"
                    + "if cur[1] then\n"
                    + "  local v = tonumber(cur[1]); local r = tonumber(cur[2])\n"
                    + "  local nv = tonumber(ARGV[1]); local nr = tonumber(ARGV[2])\n"
                    + "  if nv < v or (nv == v and nr < r) then return 0 end\n"
                    + "end\n"
                    + "redis.call('HSET', KEYS[1], 'version', ARGV[1], 'rank', ARGV[2], 'state', ARGV[3],"
                    + " 'reason', ARGV[4], 'chunkCount', ARGV[5], 'uploadedAt', ARGV[6],"
                    + " 'updatedAt', ARGV[7], 'eventId', ARGV[8])\n"
                    + "if ARGV[10] == '1' then redis.call('HSET', KEYS[1], 'title', ARGV[11]) end\n"
                    + "redis.call('PEXPIRE', KEYS[1], ARGV[9])\n"
                    + "redis.call('ZADD', KEYS[2], 0, ARGV[12])\n"
                    + "redis.call('PEXPIRE', KEYS[2], ARGV[9])\n"
                    + "return 1";

    /**
     * A delete leaves a tombstone (state DELETED at the delete's version, same TTL) rather than
     * removing the key: a status of an older version that arrives later is then rejected by the
     * same monotonic check instead of bringing the document back.
     */
    private static final String DELETE_IF_NOT_NEWER =
            "local v = redis.call('HGET', KEYS[1], 'version')\n"
                    + "if v and tonumber(v) > tonumber(ARGV[1]) then return 0 end\n"
                    + "redis.call('DEL', KEYS[1])\n"
                    + "redis.call('ZREM', KEYS[2], ARGV[3])\n"
                    + "redis.call('HSET', KEYS[1], 'version', ARGV[1], 'rank', '3', 'state', 'DELETED')\n"
                    + "redis.call('PEXPIRE', KEYS[1], ARGV[2])\n"
                    + "return 1";

    /**
     * Up to ARGV[2] ids of the status index after ARGV[1] (a ZRANGE BYLEX bound), each with its
     * status fields ('' when its hash expired: such an id is removed from the index here). The
     * status keys are ARGV[3] .. id, the prefix {@link RedisKeys#status} gives.
     */
    private static final String LIST_AFTER =
            "local ids = redis.call('ZRANGE', KEYS[1], ARGV[1], '+', 'BYLEX', 'LIMIT', 0,"
                    + " tonumber(ARGV[2]))\n"
                    + "local out = {}\n"
                    + "for _, id in ipairs(ids) do\n"
                    + "  local h = redis.call('HMGET', ARGV[3] .. id, 'version', 'state', 'reason',"
                    + " 'chunkCount', 'uploadedAt', 'updatedAt', 'eventId', 'title')\n"
                    + "  if not h[1] then redis.call('ZREM', KEYS[1], id) end\n"
                    + "  out[#out + 1] = id\n"
                    + "  for i = 1, 8 do out[#out + 1] = h[i] or '' end\n"
                    + "end\n"
                    + "return out";

    private static final int LISTED_FIELDS = 9;

    private static final String DELETED = "DELETED";

    private final UnifiedJedis redis;
    private final Duration ttl;

    public StatusStore(UnifiedJedis redis, Duration ttl) {
        this.redis = redis;
        this.ttl = ttl;
    }

    /** A status and the document's title (null when no upload of it told this store one). */
    public record Titled(DocumentStatus status, String title) {}

    /**
     * One page of the tenant's status index: the statuses of the ids after the cursor, in byte
     * order; {@code last} is the last id looked at (null when none) and {@code full} says whether
     * the page hit its limit (more ids may follow).
     */
    public record Page(List<Titled> statuses, String last, boolean full) {}

    /** Writes the status unless a newer one is stored; returns whether it was written. */
    public boolean put(DocumentStatus status) {
        return put(status, null);
    }

    /**
     * {@link #put(DocumentStatus)}, also recording the document's title (an upload's; null keeps
     * the stored one). The id joins the tenant's status index, which lists documents before any
     * shard has them.
     */
    public boolean put(DocumentStatus status, String title) {
        Object written =
                redis.eval(
                        PUT_IF_NEWER,
                        List.of(
                                RedisKeys.status(status.getTenant(), status.getDocumentId()),
                                RedisKeys.statusIndex(status.getTenant())),
                        List.of(
                                Long.toString(status.getVersion()),
                                Integer.toString(rank(status.getState())),
                                status.getState().name(),
                                status.getReason() == null ? "" : status.getReason(),
                                Integer.toString(status.getChunkCount()),
                                Long.toString(status.getUploadedAt().toEpochMilli()),
                                Long.toString(status.getUpdatedAt().toEpochMilli()),
                                status.getEventId(),
                                Long.toString(ttl.toMillis()),
                                title == null ? "0" : "1",
                                title == null ? "" : title,
                                status.getDocumentId()));
        return Long.valueOf(1).equals(written);
    }

    /** Marks a document deleted at {@code version}, unless a newer upload came after the delete. */
    public void markDeleted(String tenant, String documentId, long version) {
        redis.eval(
                DELETE_IF_NOT_NEWER,
                List.of(RedisKeys.status(tenant, documentId), RedisKeys.statusIndex(tenant)),
                List.of(Long.toString(version), Long.toString(ttl.toMillis()), documentId));
    }

    public Optional<DocumentStatus> get(String tenant, String documentId) {
        Map<String, String> hash = redis.hgetAll(RedisKeys.status(tenant, documentId));
        if (hash == null || hash.isEmpty() || DELETED.equals(hash.get("state"))) {
            return Optional.empty();
        }
        String reason = hash.get("reason");
        return Optional.of(
                DocumentStatuses.of(
                        hash.get("eventId"),
                        tenant,
                        documentId,
                        Long.parseLong(hash.get("version")),
                        DocumentState.valueOf(hash.get("state")),
                        reason == null || reason.isEmpty() ? null : reason,
                        Integer.parseInt(hash.getOrDefault("chunkCount", "0")),
                        Instant.ofEpochMilli(Long.parseLong(hash.get("uploadedAt"))),
                        Instant.ofEpochMilli(Long.parseLong(hash.get("updatedAt")))));
    }

    /**
     * The tenant's statuses of documents whose id comes after {@code afterId} (null: from the
     * first) in byte order, at most {@code limit} ids looked at, in one round trip. Deleted
     * documents and expired statuses are left out.
     */
    public Page list(String tenant, String afterId, int limit) {
        if (limit < 1) {
            throw new IllegalArgumentException("limit must be positive: " + limit);
        }
        Object answer =
                redis.eval(
                        LIST_AFTER,
                        List.of(RedisKeys.statusIndex(tenant)),
                        List.of(
                                afterId == null ? "-" : "(" + afterId,
                                Integer.toString(limit),
                                RedisKeys.status(tenant, "")));
        List<?> flat = (List<?>) answer;
        List<Titled> statuses = new ArrayList<>();
        String last = null;
        for (int i = 0; i + LISTED_FIELDS <= flat.size(); i += LISTED_FIELDS) {
            last = text(flat.get(i));
            String state = text(flat.get(i + 2));
            if (state.isEmpty() || DELETED.equals(state)) {
                continue;
            }
            String reason = text(flat.get(i + 3));
            String title = text(flat.get(i + 8));
            statuses.add(
                    new Titled(
                            DocumentStatuses.of(
                                    text(flat.get(i + 7)),
                                    tenant,
                                    last,
                                    Long.parseLong(text(flat.get(i + 1))),
                                    DocumentState.valueOf(state),
                                    reason.isEmpty() ? null : reason,
                                    Integer.parseInt(orZero(text(flat.get(i + 4)))),
                                    Instant.ofEpochMilli(
                                            Long.parseLong(orZero(text(flat.get(i + 5))))),
                                    Instant.ofEpochMilli(
                                            Long.parseLong(orZero(text(flat.get(i + 6)))))),
                            title.isEmpty() ? null : title));
        }
        return new Page(statuses, last, flat.size() / LISTED_FIELDS >= limit);
    }

    private static String text(Object value) {
        return value instanceof byte[] bytes
                ? new String(bytes, StandardCharsets.UTF_8)
                : String.valueOf(value);
    }

    private static String orZero(String number) {
        return number.isEmpty() ? "0" : number;
    }

    /** Later stages rank higher; INDEXED and FAILED are both final for a version. */
    static int rank(DocumentState state) {
        return switch (state) {
            case ACCEPTED -> 0;
            case PROCESSING -> 1;
            case INDEXED, FAILED -> 2;
        };
    }
}
