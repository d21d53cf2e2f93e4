package io.kbstream.schemas;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The JSON view of a {@link DocumentStatus} served by the API and pushed on its WebSocket: {@code
 * id, tenant, version, status, reason, chunkCount, uploadedAt, updatedAt} with ISO-8601 instants. A
 * plain ordered map, so any JSON library renders it without this module depending on one.
 */
public final class StatusJson {

    private StatusJson() {}

    public static Map<String, Object> toMap(DocumentStatus status) {
        Map<String, Object> map = new LinkedHashMap<>();
        map.put("id", status.getDocumentId());
        map.put("tenant", status.getTenant());
        map.put("version", status.getVersion());
        map.put("status", status.getState().name());
        map.put("reason", status.getReason());
        map.put("chunkCount", status.getChunkCount());
        map.put("uploadedAt", iso(status.getUploadedAt()));
        map.put("updatedAt", iso(status.getUpdatedAt()));
        return map;
    }

    private static String iso(Instant instant) {
        return instant == null ? null : instant.toString();
    }
}
