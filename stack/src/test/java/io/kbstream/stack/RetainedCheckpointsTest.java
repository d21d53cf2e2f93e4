package io.kbstream.stack;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Tests for {@link RetainedCheckpoints}. */
class RetainedCheckpointsTest {

    @TempDir Path dir;

    @Test
    void latest_is_the_newest_complete_checkpoint_of_any_run() throws Exception {
        RetainedCheckpoints checkpoints =
                RetainedCheckpoints.forCheckpointDir(dir.toString()).get();
        Path root = dir.resolve(RetainedCheckpoints.FOLDER);
        complete(root.resolve("job-a/chk-9"), 1_000);
        complete(root.resolve("job-b/chk-3"), 2_000);
        // cut short by a kill: no _metadata
        Files.createDirectories(root.resolve("job-b/chk-4"));

        assertThat(checkpoints.latest()).contains(root.resolve("job-b/chk-3"));
    }

    @Test
    void no_checkpoint_folder_means_nothing_to_resume() {
        assertThat(RetainedCheckpoints.forCheckpointDir(dir.toUri().toString()).get().latest())
                .isEmpty();
    }

    @Test
    void other_file_systems_are_left_to_the_flink_cluster() {
        assertThat(RetainedCheckpoints.forCheckpointDir("s3://bucket/checkpoints")).isEmpty();
    }

    @Test
    void pruning_keeps_only_the_run_resumed_from() throws Exception {
        RetainedCheckpoints checkpoints =
                RetainedCheckpoints.forCheckpointDir(dir.toString()).get();
        Path root = dir.resolve(RetainedCheckpoints.FOLDER);
        complete(root.resolve("job-a/chk-9"), 1_000);
        Path keep = complete(root.resolve("job-b/chk-3"), 2_000);

        checkpoints.pruneExcept(keep);

        assertThat(root.resolve("job-a")).doesNotExist();
        assertThat(keep.resolve("_metadata")).exists();
    }

    private static Path complete(Path chk, long modifiedMillis) throws Exception {
        Files.createDirectories(chk);
        Path metadata = Files.writeString(chk.resolve("_metadata"), "x");
        Files.setLastModifiedTime(metadata, FileTime.fromMillis(modifiedMillis));
        return chk;
    }
}
