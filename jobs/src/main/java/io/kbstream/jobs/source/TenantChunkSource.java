package io.kbstream.jobs.source;

import io.kbstream.core.config.EmbeddingOptions;
import io.kbstream.core.config.KbConfig;
import io.kbstream.core.config.PostgresOptions;
import io.kbstream.jobs.records.ChunkTask;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.api.connector.source.Boundedness;
import org.apache.flink.api.connector.source.Source;
import org.apache.flink.api.connector.source.SourceReader;
import org.apache.flink.api.connector.source.SourceReaderContext;
import org.apache.flink.api.connector.source.SplitEnumerator;
import org.apache.flink.api.connector.source.SplitEnumeratorContext;
import org.apache.flink.core.io.SimpleVersionedSerializer;

/**
 * A bounded source of one tenant's chunks that have no vector of {@code model} yet: one split per
 * shard, each read in chunk id order and checkpointed at the last chunk emitted. Because the query
 * skips chunks that have the vector, a job started again after a kill (or a second pass) reads only
 * what is still missing.
 */
public final class TenantChunkSource implements Source<ChunkTask, ShardSplit, List<ShardSplit>> {

    private static final long serialVersionUID = 1L;

    private final KbConfig config;
    private final String tenant;
    private final String model;

    public TenantChunkSource(KbConfig config, String tenant, String model) {
        this.config = config;
        this.tenant = tenant;
        this.model = model;
    }

    @Override
    public Boundedness getBoundedness() {
        return Boundedness.BOUNDED;
    }

    @Override
    public SplitEnumerator<ShardSplit, List<ShardSplit>> createEnumerator(
            SplitEnumeratorContext<ShardSplit> context) {
        List<ShardSplit> all = new ArrayList<>();
        for (int s = 0; s < config.get(PostgresOptions.SHARDS).size(); s++) {
            all.add(new ShardSplit(s, 0));
        }
        return new ShardSplitEnumerator(context, all);
    }

    @Override
    public SplitEnumerator<ShardSplit, List<ShardSplit>> restoreEnumerator(
            SplitEnumeratorContext<ShardSplit> context, List<ShardSplit> checkpoint) {
        return new ShardSplitEnumerator(context, checkpoint);
    }

    @Override
    public SimpleVersionedSerializer<ShardSplit> getSplitSerializer() {
        return new ShardSplitSerializer.Splits();
    }

    @Override
    public SimpleVersionedSerializer<List<ShardSplit>> getEnumeratorCheckpointSerializer() {
        return new ShardSplitSerializer.Pending();
    }

    @Override
    public SourceReader<ChunkTask, ShardSplit> createReader(SourceReaderContext context) {
        return new ShardChunkReader(
                config, tenant, model, config.get(EmbeddingOptions.REEMBED_READ_BATCH), context);
    }
}
