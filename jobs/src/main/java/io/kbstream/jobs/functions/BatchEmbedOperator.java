package io.kbstream.jobs.functions;

import io.kbstream.core.config.EmbeddingOptions;
import io.kbstream.core.config.KbConfig;
import io.kbstream.core.config.PipelineOptions;
import io.kbstream.core.embed.Embedders;
import io.kbstream.core.store.ShardedStore;
import io.kbstream.core.store.TenantModelsCache;
import io.kbstream.jobs.metrics.JobMetrics;
import io.kbstream.jobs.records.ChunkTask;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
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
 * <p>Each chunk is embedded with every model its tenant keeps ({@link
 * io.kbstream.core.store.TenantModels#writeModels()}: the active one, and while it moves between
 * models the target and the previous one), one call per model and batch; so nothing uploaded during
 * a migration lacks a vector of either model.
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

    /** The re-embed job's one model; null in the indexing job (each tenant's models). */
    private final String onlyModel;

    private transient ShardedStore store;
    private transient TenantModelsCache tenantModels;
    private transient List<ChunkTask> batch;
    private transient int batchSize;
    private transient long timeoutMillis;
    private transient Counter chunksEmbedded;
    private transient Histogram batchChunks;
    private transient Histogram inferenceMillis;

    /** Identifies the batch a pending timer belongs to, so a stale timer flushes nothing. */
    private transient long batchSequence;

    /** The indexing job's: every chunk with each model its tenant keeps. */
    public BatchEmbedOperator(KbConfig config) {
        this(config, null);
    }

    /** The re-embed job's: every chunk with {@code model} alone. */
    public BatchEmbedOperator(KbConfig config, String model) {
        this.config = config;
        this.onlyModel = model;
    }

    @Override
    public void open() throws Exception {
        super.open();
        // Loaded once per JVM and shared by every slot in it (see Embedders): fail at start, not
        // at the first chunk, if the configured model cannot load
        if (onlyModel != null) {
            Embedders.shared(config, onlyModel);
        } else {
            Embedders.shared(config);
            store = ShardedStore.open(config);
            String defaultModel = config.get(EmbeddingOptions.MODEL);
            tenantModels =
                    new TenantModelsCache(
                            tenant -> store.tenantModels(tenant, defaultModel),
                            defaultModel,
                            config.get(EmbeddingOptions.TENANT_MODELS_REFRESH),
                            10_000);
        }
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

    @Override
    public void close() throws Exception {
        if (store != null) {
            store.close();
        }
        super.close();
    }

    private void flush() {
        if (batch.isEmpty()) {
            return;
        }
        // which chunks need which model, in the order the tenants list them
        Map<String, List<ChunkTask>> byModel = new LinkedHashMap<>();
        for (ChunkTask task : batch) {
            List<String> models =
                    onlyModel != null
                            ? List.of(onlyModel)
                            : tenantModels.get(task.tenant).writeModels();
            task.model = models.get(0);
            task.otherModels = models.subList(1, models.size()).toArray(new String[0]);
            task.otherEmbeddings = new float[task.otherModels.length][];
            for (String model : models) {
                byModel.computeIfAbsent(model, m -> new ArrayList<>()).add(task);
            }
        }
        long start = System.nanoTime();
        for (Map.Entry<String, List<ChunkTask>> e : byModel.entrySet()) {
            List<ChunkTask> tasks = e.getValue();
            List<String> texts = new ArrayList<>(tasks.size());
            for (ChunkTask task : tasks) {
                texts.add(task.text);
            }
            float[][] vectors = Embedders.shared(config, e.getKey()).embed(texts);
            for (int i = 0; i < tasks.size(); i++) {
                put(tasks.get(i), e.getKey(), vectors[i]);
            }
            chunksEmbedded.inc(texts.size());
        }
        inferenceMillis.update(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start));
        batchChunks.update(batch.size());
        for (ChunkTask task : batch) {
            output.collect(new StreamRecord<>(task));
        }
        batch = new ArrayList<>(batchSize);
        batchSequence++;
    }

    private static void put(ChunkTask task, String model, float[] vector) {
        if (model.equals(task.model)) {
            task.embedding = vector;
            return;
        }
        for (int i = 0; i < task.otherModels.length; i++) {
            if (task.otherModels[i].equals(model)) {
                task.otherEmbeddings[i] = vector;
            }
        }
    }
}
