package io.kbstream.benchmark.eval;

import io.kbstream.core.config.KbConfig;
import io.kbstream.core.config.StackOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Where the SciFact dataset is, for the CLI ({@code kb eval}, {@code kb bench}) and the tests
 * alike: {@code kb.stack.scifact-dir} when set, else the nearest {@code shared/data/scifact} among
 * the checkout's parent folders (a checkout in /work finds /work/shared, a worktree in /work/wt/x
 * finds the same folder two levels up). Never copied into the repository.
 */
public final class SciFact {

    static final Path RELATIVE = Path.of("shared", "data", "scifact");

    private SciFact() {}

    /** The dataset folder, or an exception naming every folder looked in and how to point it. */
    public static Path locate(KbConfig config) {
        String configured = config.get(StackOptions.SCIFACT_DIR);
        if (!configured.isBlank()) {
            Path dir = Path.of(configured).toAbsolutePath().normalize();
            if (isDataset(dir)) {
                return dir;
            }
            throw missing(List.of(dir));
        }
        return locateAbove(KbConfig.home());
    }

    /** The nearest {@code shared/data/scifact} in a parent folder of {@code checkout}. */
    static Path locateAbove(Path checkout) {
        List<Path> looked = new ArrayList<>();
        for (Path dir = checkout.toAbsolutePath().normalize().getParent();
                dir != null;
                dir = dir.getParent()) {
            Path candidate = dir.resolve(RELATIVE);
            looked.add(candidate);
            if (isDataset(candidate)) {
                return candidate;
            }
        }
        throw missing(looked);
    }

    /** A BEIR folder: at least the corpus and the queries. */
    public static boolean isDataset(Path dir) {
        return Files.isRegularFile(dir.resolve("corpus.jsonl"))
                && Files.isRegularFile(dir.resolve("queries.jsonl"));
    }

    private static IllegalStateException missing(List<Path> looked) {
        return new IllegalStateException(
                "the SciFact dataset (corpus.jsonl, queries.jsonl) is not in "
                        + looked
                        + "; put it at ../shared/data/scifact beside the checkout, or point"
                        + " kb.stack.scifact-dir (environment KB_STACK_SCIFACT_DIR) at it");
    }
}
