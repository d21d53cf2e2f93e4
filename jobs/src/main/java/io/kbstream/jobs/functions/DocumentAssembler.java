package io.kbstream.jobs.functions;

import io.kbstream.core.tenant.TenantDeleted;
import io.kbstream.jobs.records.AssemblyInput;
import io.kbstream.jobs.records.ChunkTask;
import io.kbstream.jobs.records.IndexOp;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.StateDescriptor;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.streaming.api.TimerService;
import org.apache.flink.streaming.api.functions.co.KeyedBroadcastProcessFunction;
import org.apache.flink.util.Collector;

/**
 * Step 5, keyed by tenant/document: embedded chunks arrive from any batch and any subtask; the
 * document goes to the sink only when all chunks of its version are here, so the store can swap old
 * chunks for new in one transaction. Deletes pass through here too (both come as {@link
 * AssemblyInput}), so the sink sees each document's upserts and deletes in version order: a delete
 * overtakes the slower, still-embedding upload it follows, and that upload's chunks are then
 * dropped instead of resurrecting the document.
 *
 * <p>Tenant tombstones ({@link DeletedTenants}, broadcast as to the version gate) clear every key
 * of the deleted tenant and stay in broadcast state, so the tenant's chunks and deletes written
 * before the deletion and still in flight (or replayed after a restore) are dropped here instead of
 * creating state again or reaching the sink; a re-created tenant's versions, above the mark, are
 * assembled as any.
 */
public final class DocumentAssembler
        extends KeyedBroadcastProcessFunction<String, AssemblyInput, TenantDeleted, IndexOp> {

    private static final long serialVersionUID = 1L;

    /** How long the last emitted version is remembered, to drop older chunks still in flight. */
    static final Duration RETAIN_AFTER_EMIT = Duration.ofMinutes(10);

    /** The version being assembled, or the last one emitted (an upsert or a delete). */
    public static class Progress {
        public long version;
        public boolean emitted;

        public Progress() {}

        Progress(long version, boolean emitted) {
            this.version = version;
            this.emitted = emitted;
        }
    }

    private transient StateDescriptor<?, ?>[] descriptors;
    private transient MapState<Integer, ChunkTask> chunks;
    private transient ValueState<Progress> progress;
    private transient ValueState<Integer> received;

    @Override
    public void open(OpenContext openContext) {
        var chunksDescriptor = new MapStateDescriptor<>("chunks", Integer.class, ChunkTask.class);
        var progressDescriptor = new ValueStateDescriptor<>("progress", Progress.class);
        var receivedDescriptor = new ValueStateDescriptor<>("received", Integer.class);
        descriptors =
                new StateDescriptor<?, ?>[] {
                    chunksDescriptor, progressDescriptor, receivedDescriptor
                };
        chunks = getRuntimeContext().getMapState(chunksDescriptor);
        progress = getRuntimeContext().getState(progressDescriptor);
        received = getRuntimeContext().getState(receivedDescriptor);
    }

    @Override
    public void processElement(AssemblyInput in, ReadOnlyContext ctx, Collector<IndexOp> out)
            throws Exception {
        if (DeletedTenants.covers(
                ctx.getBroadcastState(DeletedTenants.STATE),
                in.tenant(),
                in.partition(),
                in.version())) {
            return; // written before its tenant was deleted: nothing of it may come back
        }
        if (in.chunk != null) {
            assemble(in.chunk, ctx.timerService(), out);
        } else {
            passDelete(in.delete, ctx.timerService(), out);
        }
    }

    @Override
    public void processBroadcastElement(TenantDeleted deletion, Context ctx, Collector<IndexOp> out)
            throws Exception {
        // Cleared on purpose: the tenant is gone, with the chunks and versions of its documents.
        // Their retention timers still fire once and find nothing.
        DeletedTenants.apply(deletion, ctx, descriptors);
    }

    private void assemble(ChunkTask chunk, TimerService timers, Collector<IndexOp> out)
            throws Exception {
        Progress current = progress.value();
        if (current != null
                && (chunk.version < current.version
                        || (chunk.version == current.version && current.emitted))) {
            return; // obsolete: a newer version, or a delete, or this very version already went out
        }
        if (current == null || chunk.version > current.version) {
            chunks.clear();
            received.clear();
            progress.update(new Progress(chunk.version, false));
        }
        if (!chunks.contains(chunk.chunkNo)) {
            chunks.put(chunk.chunkNo, chunk);
            received.update(received.value() == null ? 1 : received.value() + 1);
        }
        if (received.value() < chunk.chunkCount) {
            return;
        }
        List<ChunkTask> all = new ArrayList<>(chunk.chunkCount);
        chunks.values().forEach(all::add);
        all.sort(Comparator.comparingInt(c -> c.chunkNo));
        markEmitted(chunk.version, timers);
        out.collect(toUpsert(chunk, all));
    }

    private void passDelete(IndexOp delete, TimerService timers, Collector<IndexOp> out)
            throws Exception {
        Progress current = progress.value();
        if (current == null || delete.version > current.version) {
            markEmitted(delete.version, timers);
        }
        out.collect(delete);
    }

    /**
     * Cleared on purpose: what was assembled has left for the sink. Only its version stays, until
     * the retention timer, so chunks trailing behind from an older version are recognised.
     */
    private void markEmitted(long version, TimerService timers) throws Exception {
        chunks.clear();
        received.clear();
        progress.update(new Progress(version, true));
        timers.registerProcessingTimeTimer(
                timers.currentProcessingTime() + RETAIN_AFTER_EMIT.toMillis());
    }

    @Override
    public void onTimer(long timestamp, OnTimerContext ctx, Collector<IndexOp> out)
            throws Exception {
        Progress current = progress.value();
        if (current != null && current.emitted) {
            // Cleared on purpose: nothing older can still be in flight this long after.
            progress.clear();
        }
    }

    private static IndexOp toUpsert(ChunkTask any, List<ChunkTask> all) {
        IndexOp op = new IndexOp();
        op.kind = IndexOp.Kind.UPSERT;
        op.eventId = any.eventId;
        op.tenant = any.tenant;
        op.documentId = any.documentId;
        op.version = any.version;
        op.partition = any.partition;
        op.uploadedAt = any.uploadedAt;
        op.title = any.title;
        op.contentHash = any.contentHash;
        op.metadata = any.metadata;
        op.chunkCount = all.size();
        op.chunks = all.toArray(ChunkTask[]::new);
        return op;
    }
}
