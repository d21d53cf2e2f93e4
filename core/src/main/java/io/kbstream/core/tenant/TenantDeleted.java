package io.kbstream.core.tenant;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.kbstream.schemas.DocumentVersions;
import java.io.IOException;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.util.UUID;

/**
 * The tenant tombstone on {@code kb.tenant-events}: the tenant was deleted when {@code
 * kb.documents} ended at {@code documentsEnd} (the end offset of each partition, read after every
 * API instance refuses the tenant's keys and every send they had accepted has completed). The
 * indexing job drops the tenant's keyed state when it reads one, and every event of the tenant
 * below that mark: the log's position decides, as for versions, not a clock. A POJO (public fields,
 * no-arg constructor) so Flink keeps it in broadcast state with its own serializer; JSON on the
 * wire; {@link Serializable} so a replay's Kafka deserializer can carry the tombstones read before
 * it started.
 */
public class TenantDeleted implements Serializable {

    private static final long serialVersionUID = 1L;

    private static final ObjectMapper JSON = new ObjectMapper();

    public String eventId;
    public String tenant;

    /** Index: the {@code kb.documents} partition; value: its end offset at the deletion. */
    public long[] documentsEnd;

    public TenantDeleted() {}

    public static TenantDeleted of(String tenant, long[] documentsEnd) {
        TenantDeleted e = new TenantDeleted();
        e.eventId = UUID.randomUUID().toString();
        e.tenant = tenant;
        e.documentsEnd = documentsEnd.clone();
        return e;
    }

    /**
     * True if the tenant's event with {@code version} in {@code partition} of {@code kb.documents}
     * was written before the deletion (a partition added since has only later events).
     */
    public boolean covers(int partition, long version) {
        return partition < documentsEnd.length
                && version < DocumentVersions.ofOffset(documentsEnd[partition]);
    }

    public byte[] toBytes() {
        try {
            return JSON.writeValueAsBytes(this);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Parses a record value; throws {@link IllegalArgumentException} when it is not one. */
    public static TenantDeleted parse(byte[] value) {
        try {
            TenantDeleted e = JSON.readValue(value, TenantDeleted.class);
            if (e.tenant == null || e.tenant.isEmpty() || e.documentsEnd == null) {
                throw new IllegalArgumentException("tenant event without a tenant or its mark");
            }
            return e;
        } catch (IOException e) {
            throw new IllegalArgumentException("not a tenant event: " + e.getMessage(), e);
        }
    }
}
