package io.kbstream.jobs;

import io.kbstream.core.config.KbConfig;
import io.kbstream.jobs.functions.BatchEmbedOperator;
import io.kbstream.jobs.records.ChunkTask;
import io.kbstream.jobs.sink.VectorSink;
import io.kbstream.jobs.source.TenantChunkSource;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.JobExecutionResult;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.source.Source;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * Re-embeds one tenant's chunks with another model (issue 20): every chunk on every shard that has
 * no vector of the model yet → the indexing job's micro-batch embedder, with that model → the
 * model's vector table, upserted. Bounded: it ends when every shard is read. Checkpointed like the
 * indexing job (the source's position per shard, the sink flushed before each checkpoint), and
 * resumable even from nothing: a new run reads only the chunks still without a vector.
 *
 * <p>The migration around it (target recorded, switch, switch back) is {@code
 * io.kbstream.core.models.ModelMigrations}; {@code kb reembed} runs both.
 */
public final class ReembedJob {

    static final String UID_SOURCE = "reembed-chunks";
    static final String UID_EMBED = "reembed-embed";
    static final String UID_SINK = "reembed-vectors";

    private final KbConfig config;
    private final String model;
    private final Source<ChunkTask, ?, ?> source;
    private final Sink<ChunkTask> sink;

    public ReembedJob(
            KbConfig config, String model, Source<ChunkTask, ?, ?> source, Sink<ChunkTask> sink) {
        this.config = config;
        this.model = model;
        this.source = source;
        this.sink = sink;
    }

    /** The production wiring: the tenant's chunks from the shards, vectors back into them. */
    public static ReembedJob of(KbConfig config, String tenant, String model) {
        return new ReembedJob(
                config,
                model,
                new TenantChunkSource(config, tenant, model),
                new VectorSink(config));
    }

    public void build(StreamExecutionEnvironment env) {
        env.fromSource(source, WatermarkStrategy.noWatermarks(), "chunks without " + model)
                .uid(UID_SOURCE)
                .name("chunks without " + model)
                .transform(
                        IndexingJob.EMBED_NAME,
                        TypeInformation.of(ChunkTask.class),
                        new BatchEmbedOperator(config, model))
                .uid(UID_EMBED)
                .sinkTo(sink)
                .uid(UID_SINK)
                .name(model + " vectors");
    }

    public JobExecutionResult execute(StreamExecutionEnvironment env) throws Exception {
        build(env);
        return env.execute("kb-stream re-embed with " + model);
    }

    /** {@code flink run ... --tenant T --model M [--kb.option=value ...]}. */
    public static void main(String[] args) throws Exception {
        Map<String, String> own = new HashMap<>();
        List<String> rest = new ArrayList<>();
        for (int i = 0; i < args.length; i++) {
            if ((args[i].equals("--tenant") || args[i].equals("--model")) && i + 1 < args.length) {
                own.put(args[i], args[++i]);
            } else {
                rest.add(args[i]);
            }
        }
        if (!own.containsKey("--tenant") || !own.containsKey("--model")) {
            throw new IllegalArgumentException("usage: ReembedJob --tenant T --model M");
        }
        KbConfig config = KbConfig.load(JobArgs.parse(rest.toArray(new String[0])));
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        IndexingJob.configure(env, config);
        of(config, own.get("--tenant"), own.get("--model")).execute(env);
    }
}
