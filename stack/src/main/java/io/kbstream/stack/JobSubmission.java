package io.kbstream.stack;

import io.kbstream.core.config.ConfigOption;
import io.kbstream.core.config.KbConfig;
import io.kbstream.core.config.KbOptions;
import io.kbstream.core.config.PipelineOptions;
import io.kbstream.deploy.BuildInfo;
import io.kbstream.deploy.FlinkRestClient;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * {@code kb pipeline --submit URL}: the IndexingJob's shaded jar to an existing Flink cluster
 * through its REST API. The job gets the explicitly set, non-secret kb.* settings as arguments;
 * secrets never leave this machine (the cluster's processes read theirs from their environment,
 * KB_CONFIG or the project's .kb/secrets.properties).
 */
public final class JobSubmission {

    private JobSubmission() {}

    /** Uploads and runs the job; returns the job id once it is RUNNING. */
    public static String submit(KbConfig config, URI cluster, Path jar, String savepoint)
            throws InterruptedException {
        Path jobJar =
                jar != null
                        ? jar
                        : KbConfig.home().resolve("jobs/target/" + BuildInfo.jobJarName());
        if (!Files.isRegularFile(jobJar)) {
            throw new IllegalArgumentException(
                    "no job jar at " + jobJar + " (build it: mvn -pl jobs -am package)");
        }
        FlinkRestClient flink = new FlinkRestClient(cluster);
        System.out.println("uploading " + jobJar.getFileName() + " to " + cluster);
        String jarId = flink.uploadJar(jobJar);
        // an explicitly set kb.pipeline.parallelism is the run's parallelism (see
        // FlinkRestClient.run)
        Integer parallelism =
                config.explicitValues().containsKey(PipelineOptions.PARALLELISM.key())
                        ? config.get(PipelineOptions.PARALLELISM)
                        : null;
        String jobId =
                flink.run(
                        jarId, BuildInfo.INDEXING_JOB_CLASS, args(config), savepoint, parallelism);
        flink.awaitState(jobId, "RUNNING", Duration.ofMinutes(2));
        System.out.println(
                "job " + jobId + " RUNNING" + (savepoint == null ? "" : " from " + savepoint));
        return jobId;
    }

    /** {@code --key=value} for each explicitly set option that is not a secret, sorted. */
    static List<String> args(KbConfig config) {
        Map<String, ConfigOption<?>> options =
                KbOptions.all().stream()
                        .collect(Collectors.toMap(ConfigOption::key, Function.identity()));
        return new TreeMap<>(config.explicitValues())
                .entrySet().stream()
                        .filter(e -> options.containsKey(e.getKey()))
                        .filter(e -> !options.get(e.getKey()).isSecret())
                        .map(e -> "--" + e.getKey() + "=" + e.getValue())
                        .toList();
    }
}
