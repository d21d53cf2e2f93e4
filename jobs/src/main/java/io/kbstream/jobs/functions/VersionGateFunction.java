package io.kbstream.jobs.functions;

import io.kbstream.core.config.KbConfig;
import io.kbstream.core.config.PipelineOptions;
import io.kbstream.core.tenant.TenantDeleted;
import io.kbstream.jobs.metrics.JobMetrics;
import io.kbstream.jobs.metrics.JobMetrics.Outcome;
import io.kbstream.jobs.records.IndexOp;
import io.kbstream.jobs.records.ParsedDocument;
import io.kbstream.schemas.DocumentState;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.StateTtlConfig;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.co.KeyedBroadcastProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

/**
 * Step 2, keyed by tenant/document: remembers the last accepted version and content hash (RocksDB
 * keyed state) and lets through only what changes the index. An unchanged re-upload is reported
 * INDEXED "unchanged"; an older version arriving after a newer one, or after a delete, is dropped
 * (versions are log offsets, so that takes a replay into newer state; the check keeps such a replay
 * harmless); a delete passes and clears the document's state.
 *
 * <p>Tenant tombstones ({@link TenantDeleted}, broadcast from {@code kb.tenant-events}) clear every
 * key of the deleted tenant and stay in broadcast state, so the tenant's events written before the
 * deletion (below the tombstone's mark) and read later (still in flight, or replayed after a
 * restore) are dropped instead of bringing back rows or state; a re-created tenant's uploads pass.
 */
public final class VersionGateFunction
        extends KeyedBroadcastProcessFunction<
                String, ParsedDocument, TenantDeleted, ParsedDocument> {

    private static final long serialVersionUID = 1L;

    /** PROCESSING statuses of versions that passed. */
    public static final OutputTag<IndexOp> STATUSES = new OutputTag<>("gate-statuses") {};

    /**
     * Deletes: they must reach the sink in order with the document's upserts still being embedded,
     * so they go through the assembler.
     */
    public static final OutputTag<IndexOp> IN_ORDER = new OutputTag<>("in-order") {};

    private final KbConfig config;
    private transient ValueStateDescriptor<DocumentVersion> currentDescriptor;
    private transient ValueStateDescriptor<Long> tombstoneDescriptor;
    private transient ValueState<DocumentVersion> current;
    private transient ValueState<Long> deletedVersion;
    private transient Counter stale;

    public VersionGateFunction(KbConfig config) {
        this.config = config;
    }

    /** What the gate remembers of a live document. */
    public static class DocumentVersion {
        public long version;
        public String contentHash;

        public DocumentVersion() {}

        DocumentVersion(long version, String contentHash) {
            this.version = version;
            this.contentHash = contentHash;
        }
    }

    @Override
    public void open(OpenContext openContext) {
        currentDescriptor = new ValueStateDescriptor<>("current-version", DocumentVersion.class);
        current = getRuntimeContext().getState(currentDescriptor);
        tombstoneDescriptor = new ValueStateDescriptor<>("deleted-version", Long.class);
        // A tombstone only has to outlive late, older uploads of the same id; then it expires.
        tombstoneDescriptor.enableTimeToLive(
                StateTtlConfig.newBuilder(config.get(PipelineOptions.TOMBSTONE_TTL))
                        .setUpdateType(StateTtlConfig.UpdateType.OnCreateAndWrite)
                        .setStateVisibility(StateTtlConfig.StateVisibility.NeverReturnExpired)
                        .build());
        deletedVersion = getRuntimeContext().getState(tombstoneDescriptor);
        stale = JobMetrics.documents(getRuntimeContext().getMetricGroup(), Outcome.STALE);
    }

    @Override
    public void processElement(
            ParsedDocument doc, ReadOnlyContext ctx, Collector<ParsedDocument> out)
            throws Exception {
        if (DeletedTenants.covers(
                ctx.getBroadcastState(DeletedTenants.STATE),
                doc.tenant,
                doc.partition,
                doc.version)) {
            stale.inc();
            return; // written before its tenant was deleted: nothing of it may come back
        }
        DocumentVersion live = current.value();
        Long deleted = deletedVersion.value();
        if ((live != null && doc.version < live.version)
                || (deleted != null && doc.version <= deleted)) {
            stale.inc();
            return; // stale: a newer version or a later delete of this document was already
            // accepted
        }
        if (doc.delete) {
            // Cleared on purpose: the document is gone; only the tombstone (with a TTL) remains.
            current.clear();
            deletedVersion.update(doc.version);
            IndexOp delete = new IndexOp();
            delete.kind = IndexOp.Kind.DELETE;
            delete.eventId = doc.eventId;
            delete.tenant = doc.tenant;
            delete.documentId = doc.documentId;
            delete.version = doc.version;
            delete.partition = doc.partition;
            delete.uploadedAt = doc.uploadedAt;
            ctx.output(IN_ORDER, delete);
            return;
        }
        if (live != null && live.contentHash.equals(doc.contentHash)) {
            // passed on marked, so the chunker can report the chunk count without embedding
            current.update(new DocumentVersion(doc.version, live.contentHash));
            doc.unchanged = true;
            out.collect(doc);
            return;
        }
        current.update(new DocumentVersion(doc.version, doc.contentHash));
        deletedVersion.clear();
        ctx.output(STATUSES, status(doc, DocumentState.PROCESSING, null));
        out.collect(doc);
    }

    @Override
    public void processBroadcastElement(
            TenantDeleted deletion, Context ctx, Collector<ParsedDocument> out) throws Exception {
        // Cleared on purpose: the tenant is gone; its documents' versions and tombstones with it.
        DeletedTenants.apply(deletion, ctx, currentDescriptor, tombstoneDescriptor);
    }

    private static IndexOp status(ParsedDocument doc, DocumentState state, String reason) {
        return IndexOp.status(
                doc.eventId,
                doc.tenant,
                doc.documentId,
                doc.version,
                doc.uploadedAt,
                state,
                reason,
                0);
    }
}
