package io.kbstream.jobs.testing;

import io.kbstream.core.config.KafkaOptions;
import io.kbstream.core.config.KbConfig;
import io.kbstream.core.config.PipelineOptions;
import io.kbstream.core.kafka.KafkaClients;
import io.kbstream.jobs.IndexingJob;
import java.nio.file.Files;
import java.util.UUID;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * Runs the production IndexingJob (Kafka in, shards + Redis + status topic out) on an in-process
 * Flink MiniCluster, in the background, for tests of other modules that need documents indexed. It
 * has its own consumer group and starts at the topic's end as of {@link #start}: it indexes what
 * the test sends afterwards, neither the backlog of earlier runs nor in competition with a pipeline
 * already running on the same topic (such as the demo's).
 */
public final class PipelineRunner implements AutoCloseable {

    private final JobClient job;

    private PipelineRunner(JobClient job) {
        this.job = job;
    }

    /** Starts the job; every event sent to the documents topic after this returns is indexed. */
    public static PipelineRunner start(KbConfig config) throws Exception {
        return start(config, new Configuration());
    }

    /** As {@link #start(KbConfig)}, on a MiniCluster with the given Flink settings. */
    public static PipelineRunner start(KbConfig config, Configuration flink) throws Exception {
        KbConfig own =
                config.with(PipelineOptions.CONSUMER_GROUP, "kb-test-" + UUID.randomUUID())
                        .with(
                                PipelineOptions.CHECKPOINT_DIR,
                                Files.createTempDirectory("kb-pipeline-checkpoints")
                                        .toUri()
                                        .toString());
        StreamExecutionEnvironment env = StreamExecutionEnvironment.createLocalEnvironment(flink);
        IndexingJob.configure(env, own);
        IndexingJob.withKafka(
                        own,
                        OffsetsInitializer.offsets(
                                KafkaClients.endOffsets(
                                        own, own.get(KafkaOptions.TOPIC_DOCUMENTS))))
                .build(env);
        return new PipelineRunner(env.executeAsync("kb-stream indexing (test)"));
    }

    /** Cancels the job and waits until it is gone. */
    @Override
    public void close() throws Exception {
        job.cancel().get();
    }
}
