package io.kbstream.jobs.sink;

import io.kbstream.core.config.KbConfig;
import io.kbstream.core.config.PipelineOptions;
import io.kbstream.core.store.ShardedStore;
import io.kbstream.jobs.metrics.JobMetrics;
import io.kbstream.jobs.records.ChunkTask;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.sink2.SinkWriter;
import org.apache.flink.api.connector.sink2.WriterInitContext;
import org.apache.flink.metrics.Counter;

/**
 * The re-embed job's sink: each chunk's new vector into its model's table on its shard, one
 * transaction per shard and batch. Like {@link ShardedIndexSink}, it flushes before every
 * checkpoint and its writes are upserts, so a replay after a failure writes the same vectors again.
 */
public final class VectorSink implements Sink<ChunkTask> {

    private static final long serialVersionUID = 1L;

    private final KbConfig config;

    public VectorSink(KbConfig config) {
        this.config = config;
    }

    @Override
    public SinkWriter<ChunkTask> createWriter(WriterInitContext context) {
        return new Writer(
                config, JobMetrics.counter(context.metricGroup(), "vectors_written_total"));
    }

    /** Flink 1.20 still declares the older entry point; it is never called on 1.20 runtimes. */
    @Override
    @SuppressWarnings("deprecation")
    public SinkWriter<ChunkTask> createWriter(InitContext context) {
        return new Writer(
                config, JobMetrics.counter(context.metricGroup(), "vectors_written_total"));
    }

    private static final class Writer implements SinkWriter<ChunkTask> {

        private final ShardedStore store;
        private final int batchSize;
        private final Counter written;
        private List<ChunkTask> buffer = new ArrayList<>();

        Writer(KbConfig config, Counter written) {
            this.store = ShardedStore.open(config);
            this.batchSize = config.get(PipelineOptions.SINK_BATCH_SIZE);
            this.written = written;
        }

        @Override
        public void write(ChunkTask task, Context context) {
            buffer.add(task);
            if (buffer.size() >= batchSize) {
                flush(false);
            }
        }

        @Override
        public void flush(boolean endOfInput) {
            if (buffer.isEmpty()) {
                return;
            }
            Map<Integer, List<ChunkTask>> byShard = new TreeMap<>();
            for (ChunkTask t : buffer) {
                byShard.computeIfAbsent(t.shard, s -> new ArrayList<>()).add(t);
            }
            for (Map.Entry<Integer, List<ChunkTask>> e : byShard.entrySet()) {
                List<ChunkTask> tasks = e.getValue();
                long[] ids = new long[tasks.size()];
                float[][] vectors = new float[tasks.size()][];
                for (int i = 0; i < tasks.size(); i++) {
                    ids[i] = tasks.get(i).chunkId;
                    vectors[i] = tasks.get(i).embedding;
                }
                ChunkTask first = tasks.get(0);
                store.upsertVectors(e.getKey(), first.tenant, first.model, ids, vectors);
                written.inc(tasks.size());
            }
            buffer = new ArrayList<>();
        }

        @Override
        public void close() {
            store.close();
        }
    }
}
