package io.kbstream.core.redis;

import io.kbstream.schemas.DocumentState;
import io.kbstream.schemas.DocumentStatus;
import io.kbstream.schemas.DocumentStatuses;
import java.time.Duration;
import java.time.Instant;
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
                    + "redis.call('PEXPIRE', KEYS[1], ARGV[9])\n"
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
                    + "redis.call('HSET', KEYS[1], 'version', ARGV[1], 'rank', '3', 'state', 'DELETED')\n"
                    + "redis.call('PEXPIRE', KEYS[1], ARGV[2])\n"
                    + "return 1";

    private static final String DELETED = "DELETED";

    private final UnifiedJedis redis;
    private final Duration ttl;

    public StatusStore(UnifiedJedis redis, Duration ttl) {
        this.redis = redis;
        this.ttl = ttl;
    }

    /** Writes the status unless a newer one is stored; returns whether it was written. */
    public boolean put(DocumentStatus status) {
        Object written =
                redis.eval(
                        PUT_IF_NEWER,
                        List.of(RedisKeys.status(status.getTenant(), status.getDocumentId())),
                        List.of(
                                Long.toString(status.getVersion()),
                                Integer.toString(rank(status.getState())),
                                status.getState().name(),
                                status.getReason() == null ? "" : status.getReason(),
                                Integer.toString(status.getChunkCount()),
                                Long.toString(status.getUploadedAt().toEpochMilli()),
                                Long.toString(status.getUpdatedAt().toEpochMilli()),
                                status.getEventId(),
                                Long.toString(ttl.toMillis())));
        return Long.valueOf(1).equals(written);
    }

    /** Marks a document deleted at {@code version}, unless a newer upload came after the delete. */
    public void markDeleted(String tenant, String documentId, long version) {
        redis.eval(
                DELETE_IF_NOT_NEWER,
                List.of(RedisKeys.status(tenant, documentId)),
                List.of(Long.toString(version), Long.toString(ttl.toMillis())));
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

    /** Later stages rank higher; INDEXED and FAILED are both final for a version. */
    static int rank(DocumentState state) {
        return switch (state) {
            case ACCEPTED -> 0;
            case PROCESSING -> 1;
            case INDEXED, FAILED -> 2;
        };
    }
}
