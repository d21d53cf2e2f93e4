package io.kbstream.jobs.functions;

import io.kbstream.core.config.KbConfig;
import io.kbstream.core.config.PipelineOptions;
import io.kbstream.core.embed.Embedder;
import io.kbstream.core.embed.Embedders;
import io.kbstream.jobs.metrics.JobMetrics;
import io.kbstream.jobs.records.ChunkTask;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Histogram;
import org.apache.flink.streaming.api.operators.AbstractStreamOperator;
import org.apache.flink.streaming.api.operators.BoundedOneInput;
import org.apache.flink.streaming.api.operators.OneInputStreamOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;

/**
 * Step 4: count-or-time micro-batches of chunks, embedded in one model call each. A batch is
 * embedded when it holds {@code kb.pipeline.embed-batch-size} chunks, when its first chunk has
 * waited {@code kb.pipeline.embed-batch-timeout}, before every checkpoint barrier, and when a
 * bounded input ends.
 *
 * <p>Why an operator and not {@code window(...)} with a count trigger: a count trigger on a time
 * window loses the tail (the last partial batch never fires), and processing-time timers do not
 * fire after the end of a bounded input. Flushing before the barrier also means this operator holds
 * no state at a checkpoint: nothing buffered can be lost or replayed twice.
 */
public final class BatchEmbedOperator extends AbstractStreamOperator<ChunkTask>
        implements OneInputStreamOperator<ChunkTask, ChunkTask>, BoundedOneInput {

    private static final long serialVersionUID = 1L;

    private final KbConfig config;
    private transient Embedder embedder;
    private transient List<ChunkTask> batch;
    private transient int batchSize;
    private transient long timeoutMillis;
    private transient Counter chunksEmbedded;
    private transient Histogram batchChunks;
    private transient Histogram inferenceMillis;

    /** Identifies the batch a pending timer belongs to, so a stale timer flushes nothing. */
    private transient long batchSequence;

    public BatchEmbedOperator(KbConfig config) {
        this.config = config;
    }

    @Override
    public void open() throws Exception {
        super.open();
        // Loaded once per JVM and shared by every slot in it (see Embedders).
        embedder = Embedders.shared(config);
        batchSize = config.get(PipelineOptions.EMBED_BATCH_SIZE);
        timeoutMillis = config.get(PipelineOptions.EMBED_BATCH_TIMEOUT).toMillis();
        batch = new ArrayList<>(batchSize);
        chunksEmbedded = JobMetrics.counter(getMetricGroup(), "chunks_embedded_total");
        batchChunks = JobMetrics.histogram(getMetricGroup(), "inference_batch_size_chunks");
        inferenceMillis = JobMetrics.histogram(getMetricGroup(), "inference_latency_milliseconds");
    }

    @Override
    public void processElement(StreamRecord<ChunkTask> element) {
        if (batch.isEmpty()) {
            long sequence = batchSequence;
            long now = getProcessingTimeService().getCurrentProcessingTime();
            getProcessingTimeService()
                    .registerTimer(
                            now + timeoutMillis,
                            t -> {
                                if (sequence == batchSequence) {
                                    flush();
                                }
                            });
        }
        batch.add(element.getValue());
        if (batch.size() >= batchSize) {
            flush();
        }
    }

    @Override
    public void prepareSnapshotPreBarrier(long checkpointId) throws Exception {
        super.prepareSnapshotPreBarrier(checkpointId);
        flush();
    }

    @Override
    public void endInput() {
        flush();
    }

    private void flush() {
        if (batch.isEmpty()) {
            return;
        }
        List<String> texts = new ArrayList<>(batch.size());
        for (ChunkTask task : batch) {
            texts.add(task.text);
        }
        long start = System.nanoTime();
        float[][] vectors = embedder.embed(texts);
        inferenceMillis.update(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start));
        batchChunks.update(texts.size());
        chunksEmbedded.inc(texts.size());
        for (int i = 0; i < batch.size(); i++) {
            ChunkTask task = batch.get(i);
            task.embedding = vectors[i];
            output.collect(new StreamRecord<>(task));
        }
        batch = new ArrayList<>(batchSize);
        batchSequence++;
    }
}
