package io.kbstream.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import io.kbstream.core.config.KbConfig;
import io.kbstream.core.config.PipelineOptions;
import java.time.Duration;
import java.util.Map;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.CoreOptions;
import org.apache.flink.configuration.StateBackendOptions;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.junit.jupiter.api.Test;

/** Tests for {@link IndexingJob#configure}: the kb options fill in only what Flink leaves unset. */
class IndexingJobSettingsTest {

    private static final KbConfig CONFIG =
            KbConfig.of(
                    Map.of(
                            PipelineOptions.PARALLELISM.key(), "3",
                            PipelineOptions.CHECKPOINT_DIR.key(), "file:///kb/checkpoints",
                            PipelineOptions.CHECKPOINT_INTERVAL.key(), "PT4S"));

    @Test
    void a_cluster_without_settings_gets_the_kb_options() {
        // a remote cluster's environment, as `flink run` and the operator give the job
        StreamExecutionEnvironment env = new StreamExecutionEnvironment(new Configuration());

        IndexingJob.configure(env, CONFIG);

        assertThat(env.getParallelism()).isEqualTo(3);
        assertThat(env.getConfiguration().get(StateBackendOptions.STATE_BACKEND))
                .isEqualTo("rocksdb");
        assertThat(env.getConfiguration().get(CheckpointingOptions.CHECKPOINTS_DIRECTORY))
                .isEqualTo("file:///kb/checkpoints");
        assertThat(env.getCheckpointConfig().getCheckpointInterval()).isEqualTo(4000);
    }

    @Test
    void a_local_mini_cluster_runs_at_the_kb_parallelism_not_the_core_count() {
        StreamExecutionEnvironment env =
                StreamExecutionEnvironment.createLocalEnvironment(new Configuration());

        IndexingJob.configure(env, CONFIG);

        assertThat(env.getParallelism()).isEqualTo(3);
    }

    @Test
    void what_the_cluster_sets_wins_over_the_kb_options() {
        Configuration cluster = new Configuration();
        cluster.set(CoreOptions.DEFAULT_PARALLELISM, 7);
        cluster.set(StateBackendOptions.STATE_BACKEND, "hashmap");
        // the deprecated key the operator still validates against is found too
        cluster.setString("state.checkpoints.dir", "s3://bucket/checkpoints");
        cluster.set(CheckpointingOptions.CHECKPOINTING_INTERVAL, Duration.ofSeconds(30));
        // a remote cluster's environment (a local one always carries the core count)
        StreamExecutionEnvironment env = new StreamExecutionEnvironment(cluster);

        IndexingJob.configure(env, CONFIG);

        assertThat(env.getParallelism()).isEqualTo(7);
        assertThat(env.getConfiguration().get(StateBackendOptions.STATE_BACKEND))
                .isEqualTo("hashmap");
        assertThat(env.getConfiguration().get(CheckpointingOptions.CHECKPOINTS_DIRECTORY))
                .isEqualTo("s3://bucket/checkpoints");
        assertThat(env.getCheckpointConfig().getCheckpointInterval()).isEqualTo(30_000);
    }
}
