package io.kbstream.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import io.kbstream.core.config.KbConfig;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.flink.runtime.jobgraph.JobVertex;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.graph.StreamNode;
import org.junit.jupiter.api.Test;

/** Tests for {@link IndexingJob#build}: what savepoints and the autoscaling tests rely on. */
class IndexingJobGraphTest {

    private final StreamExecutionEnvironment env = graphOfTheProductionJob();

    @Test
    void every_stateful_operator_keeps_its_uid() {
        List<String> uids = new ArrayList<>();
        for (StreamNode node : env.getStreamGraph(false).getStreamNodes()) {
            uids.add(node.getTransformationUID());
        }

        assertThat(uids)
                .contains(
                        IndexingJob.UID_SOURCE,
                        IndexingJob.UID_TENANT_EVENTS,
                        IndexingJob.UID_GATE,
                        IndexingJob.UID_EMBED,
                        IndexingJob.UID_ASSEMBLE,
                        IndexingJob.UID_INDEX_SINK);
        // one tombstone source, broadcast to both the gate and the assembler
        assertThat(uids).containsOnlyOnce(IndexingJob.UID_TENANT_EVENTS);
    }

    @Test
    void the_embedding_is_a_job_vertex_of_its_own_name() {
        List<String> vertices = new ArrayList<>();
        for (JobVertex v : env.getStreamGraph(false).getJobGraph().getVertices()) {
            vertices.add(v.getName());
        }

        assertThat(vertices).contains(IndexingJob.EMBED_NAME);
    }

    /** The job as {@code main} wires it (building connects to nothing). */
    private static StreamExecutionEnvironment graphOfTheProductionJob() {
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        IndexingJob.withKafka(KbConfig.of(Map.of())).build(env);
        return env;
    }
}
