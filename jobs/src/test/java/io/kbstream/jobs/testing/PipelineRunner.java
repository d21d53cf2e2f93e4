package io.kbstream.jobs.testing;

import io.kbstream.core.config.KbConfig;
import io.kbstream.jobs.IndexingJob;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * Runs the production IndexingJob (Kafka in, shards + Redis + status topic out) on an in-process
 * Flink MiniCluster, in the background, for tests of other modules that need documents indexed.
 */
public final class PipelineRunner implements AutoCloseable {

    private final JobClient job;

    private PipelineRunner(JobClient job) {
        this.job = job;
    }

    /** Starts the job; returns once it is submitted (indexing follows within seconds). */
    public static PipelineRunner start(KbConfig config) throws Exception {
        StreamExecutionEnvironment env =
                StreamExecutionEnvironment.createLocalEnvironment(new Configuration());
        IndexingJob.configure(env, config);
        IndexingJob job = IndexingJob.withKafka(config);
        job.build(env);
        return new PipelineRunner(env.executeAsync("kb-stream indexing (test)"));
    }

    /** Cancels the job and waits until it is gone. */
    @Override
    public void close() throws Exception {
        job.cancel().get();
    }
}
