package io.kbstream.benchmark.report;

import io.kbstream.core.config.KafkaOptions;
import io.kbstream.core.config.KbConfig;
import io.kbstream.core.config.PipelineOptions;
import io.kbstream.jobs.IndexingJob;
import io.kbstream.stack.LocalPipeline;
import java.nio.file.Files;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.kafka.common.TopicPartition;

/**
 * The benchmark's own indexing pipeline, in its own JVM: the production IndexingJob on a local
 * MiniCluster with its own consumer group, starting at the documents topic's end, so it indexes
 * what the benchmark uploads — not the backlog of earlier runs, and without taking partitions from
 * a pipeline already running on the same topic. Prints {@link #READY} once the job runs.
 */
public final class EventPipelineMain {

    public static final String READY = "bench pipeline running";

    public static void main(String[] args) throws Exception {
        KbConfig own =
                KbConfig.load()
                        .with(PipelineOptions.CONSUMER_GROUP, "kb-bench-" + UUID.randomUUID())
                        .with(
                                PipelineOptions.CHECKPOINT_DIR,
                                Files.createTempDirectory("kb-bench-checkpoints")
                                        .toUri()
                                        .toString());
        // the local pipeline's priority (kb.pipeline.cpu-nice), as kb pipeline sets it
        LocalPipeline.yieldCpu(own, System.out::println);
        StreamExecutionEnvironment env =
                StreamExecutionEnvironment.createLocalEnvironment(new Configuration());
        IndexingJob.configure(env, own);
        IndexingJob.withKafka(own, OffsetsInitializer.offsets(endOffsets(own))).build(env);
        JobClient job = env.executeAsync("kb-stream indexing (benchmark)");
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime()
                .addShutdownHook(
                        new Thread(
                                () -> {
                                    try {
                                        job.cancel().get(20, TimeUnit.SECONDS);
                                    } catch (Exception e) {
                                        // exiting anyway
                                    }
                                    stopped.countDown();
                                }));
        while (job.getJobStatus().get() != JobStatus.RUNNING) {
            Thread.sleep(200);
        }
        System.out.println(READY);
        stopped.await();
    }

    private static Map<TopicPartition, Long> endOffsets(KbConfig config) {
        return io.kbstream.core.kafka.KafkaClients.endOffsets(
                config, config.get(KafkaOptions.TOPIC_DOCUMENTS));
    }
}
