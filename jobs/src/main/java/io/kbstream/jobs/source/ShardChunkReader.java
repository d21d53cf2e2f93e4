package io.kbstream.jobs.source;

import io.kbstream.core.config.KbConfig;
import io.kbstream.core.store.ShardedStore;
import io.kbstream.core.store.ShardedStore.ChunkText;
import io.kbstream.jobs.records.ChunkTask;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.apache.flink.api.connector.source.ReaderOutput;
import org.apache.flink.api.connector.source.SourceReader;
import org.apache.flink.api.connector.source.SourceReaderContext;
import org.apache.flink.core.io.InputStatus;

/**
 * Reads its shard splits one after another, a page of chunks at a time ({@code
 * kb.embedding.reembed-read-batch}), and emits each chunk still without a vector of the model. Its
 * state is each split's last emitted chunk id.
 */
final class ShardChunkReader implements SourceReader<ChunkTask, ShardSplit> {

    private final KbConfig config;
    private final String tenant;
    private final String model;
    private final int pageSize;
    private final SourceReaderContext context;
    private final Deque<ShardSplit> splits = new ArrayDeque<>();
    private final Deque<ChunkText> page = new ArrayDeque<>();
    private ShardedStore store;
    private boolean noMoreSplits;
    private boolean requested;
    private CompletableFuture<Void> available = new CompletableFuture<>();

    ShardChunkReader(
            KbConfig config,
            String tenant,
            String model,
            int pageSize,
            SourceReaderContext context) {
        this.config = config;
        this.tenant = tenant;
        this.model = model;
        this.pageSize = pageSize;
        this.context = context;
    }

    @Override
    public void start() {
        store = ShardedStore.open(config);
    }

    @Override
    public InputStatus pollNext(ReaderOutput<ChunkTask> output) {
        while (page.isEmpty()) {
            ShardSplit split = splits.peek();
            if (split == null) {
                if (noMoreSplits) {
                    return InputStatus.END_OF_INPUT;
                }
                if (!requested) {
                    requested = true;
                    context.sendSplitRequest();
                }
                available = new CompletableFuture<>();
                return InputStatus.NOTHING_AVAILABLE;
            }
            page.addAll(
                    store.chunksWithoutVector(
                            split.shard(), tenant, model, split.afterId(), pageSize));
            if (page.isEmpty()) {
                splits.poll(); // this shard has nothing left
            }
        }
        ShardSplit split = splits.poll();
        ChunkText chunk = page.poll();
        ChunkTask task = new ChunkTask();
        task.tenant = tenant;
        task.shard = split.shard();
        task.chunkId = chunk.id();
        task.text = chunk.text();
        output.collect(task);
        splits.addFirst(split.after(chunk.id()));
        return InputStatus.MORE_AVAILABLE;
    }

    @Override
    public List<ShardSplit> snapshotState(long checkpointId) {
        // positions of emitted chunks; a page read but not emitted is read again after a restore
        return new ArrayList<>(splits);
    }

    @Override
    public CompletableFuture<Void> isAvailable() {
        return available;
    }

    @Override
    public void addSplits(List<ShardSplit> added) {
        splits.addAll(added);
        requested = false;
        available.complete(null);
    }

    @Override
    public void notifyNoMoreSplits() {
        noMoreSplits = true;
        available.complete(null);
    }

    @Override
    public void close() {
        if (store != null) {
            store.close();
        }
    }
}
