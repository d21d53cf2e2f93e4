package io.kbstream.benchmark.eval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.kbstream.core.config.KbConfig;
import io.kbstream.core.config.StackOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Tests for {@link SciFact}. */
class SciFactTest {

    @TempDir Path root;

    private Path dataset(Path under) throws Exception {
        Path dir = under.resolve(SciFact.RELATIVE);
        Files.createDirectories(dir);
        Files.writeString(dir.resolve("corpus.jsonl"), "{}\n");
        Files.writeString(dir.resolve("queries.jsonl"), "{}\n");
        return dir;
    }

    @Test
    void a_worktree_two_levels_down_finds_the_shared_folder_of_its_grandparent() throws Exception {
        Path shared = dataset(root);
        Path worktree = Files.createDirectories(root.resolve("wt").resolve("bench"));

        assertThat(SciFact.locateAbove(worktree)).isEqualTo(shared.toAbsolutePath().normalize());
    }

    @Test
    void the_nearest_parent_wins_over_a_farther_one() throws Exception {
        dataset(root);
        Path nearer = dataset(root.resolve("wt"));
        Path worktree = Files.createDirectories(root.resolve("wt").resolve("bench"));

        assertThat(SciFact.locateAbove(worktree)).isEqualTo(nearer.toAbsolutePath().normalize());
    }

    @Test
    void a_missing_dataset_fails_naming_every_folder_looked_in_and_the_option() throws Exception {
        Path worktree = Files.createDirectories(root.resolve("wt").resolve("bench"));

        assertThatThrownBy(() -> SciFact.locateAbove(worktree))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining(root.resolve("wt").resolve(SciFact.RELATIVE).toString())
                .hasMessageContaining(root.resolve(SciFact.RELATIVE).toString())
                .hasMessageContaining("kb.stack.scifact-dir")
                .hasMessageContaining("KB_STACK_SCIFACT_DIR");
    }

    @Test
    void the_configured_folder_is_used_and_a_wrong_one_is_named_in_the_failure() throws Exception {
        Path elsewhere = dataset(root.resolve("elsewhere"));
        KbConfig good = KbConfig.of(Map.of(StackOptions.SCIFACT_DIR.key(), elsewhere.toString()));
        KbConfig wrong =
                KbConfig.of(
                        Map.of(
                                StackOptions.SCIFACT_DIR.key(),
                                root.resolve("nothing-here").toString()));

        assertThat(SciFact.locate(good)).isEqualTo(elsewhere.toAbsolutePath().normalize());
        assertThatThrownBy(() -> SciFact.locate(wrong))
                .hasMessageContaining(root.resolve("nothing-here").toString());
    }
}
