package io.kbstream.jobs.sink;

import io.kbstream.core.config.KbConfig;
import io.kbstream.jobs.records.IndexOp;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.sink2.SinkWriter;
import org.apache.flink.api.connector.sink2.WriterInitContext;

/**
 * Step 6: writes documents to their shards, then publishes what happened (Redis generation and
 * status, a DocumentStatus event). At-least-once with idempotent writes: the writer flushes before
 * every checkpoint, so a completed checkpoint means the data is in Postgres, and a replay after a
 * failure rewrites the same versions, leaving exactly one copy.
 */
public final class ShardedIndexSink implements Sink<IndexOp> {

    private static final long serialVersionUID = 1L;

    private final KbConfig config;

    public ShardedIndexSink(KbConfig config) {
        this.config = config;
    }

    @Override
    public SinkWriter<IndexOp> createWriter(WriterInitContext context) {
        return new ShardedIndexWriter(
                config, context.getProcessingTimeService(), context.metricGroup());
    }

    /** Flink 1.20 still declares the older entry point; it is never called on 1.20 runtimes. */
    @Override
    @SuppressWarnings("deprecation")
    public SinkWriter<IndexOp> createWriter(InitContext context) {
        return new ShardedIndexWriter(
                config, context.getProcessingTimeService(), context.metricGroup());
    }
}
