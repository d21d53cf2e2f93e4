package io.kbstream.stack;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.Comparator;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * The checkpoints {@code kb pipeline} leaves behind in its own folder, {@code
 * <kb.pipeline.checkpoint-dir>/kb-pipeline/<job id>/chk-<n>/}: retained on cancellation and
 * whatever a killed process could not clean up. A restarted pipeline resumes from the newest
 * complete one (it has {@code _metadata}; a checkpoint cut short by a kill has not), so its Kafka
 * offsets and RocksDB state continue where the last run stopped.
 */
public final class RetainedCheckpoints {

    /** The sub-folder of the checkpoint dir that only {@code kb pipeline} uses. */
    public static final String FOLDER = "kb-pipeline";

    private final Path root;

    RetainedCheckpoints(Path root) {
        this.root = root;
    }

    /**
     * The folder for a {@code file:} checkpoint URI (or a plain path); empty for other file systems
     * (s3://...), where the Flink cluster's own HA keeps track of checkpoints.
     */
    public static Optional<RetainedCheckpoints> forCheckpointDir(String checkpointDir) {
        URI uri = URI.create(checkpointDir);
        if (uri.getScheme() != null && !"file".equals(uri.getScheme())) {
            return Optional.empty();
        }
        Path dir = uri.getScheme() == null ? Path.of(checkpointDir) : Path.of(uri);
        return Optional.of(new RetainedCheckpoints(dir.resolve(FOLDER)));
    }

    /** Where the pipeline writes its checkpoints, as a URI for Flink. */
    public String storageUri() {
        return root.toUri().toString();
    }

    /** The newest complete checkpoint of any earlier run. */
    public Optional<Path> latest() {
        if (!Files.isDirectory(root)) {
            return Optional.empty();
        }
        try (Stream<Path> metadata =
                Files.find(
                        root,
                        3,
                        (p, attrs) ->
                                attrs.isRegularFile()
                                        && p.getFileName().toString().equals("_metadata")
                                        && p.getParent()
                                                .getFileName()
                                                .toString()
                                                .startsWith("chk-"))) {
            return metadata.max(Comparator.comparing(RetainedCheckpoints::modified))
                    .map(Path::getParent);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list checkpoints under " + root, e);
        }
    }

    /**
     * Deletes the folders of earlier runs except the one holding {@code keep}: a resumed job does
     * not own the checkpoint it starts from (Flink's NO_CLAIM restore), it writes a full one of its
     * own, so nothing else is ever read again.
     */
    public void pruneExcept(Path keep) {
        Path keepJob = keep.getParent();
        try (Stream<Path> jobs = Files.list(root)) {
            for (Path job : jobs.filter(p -> !p.equals(keepJob)).toList()) {
                FileTrees.delete(job);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot prune checkpoints under " + root, e);
        }
    }

    private static FileTime modified(Path file) {
        try {
            return Files.getLastModifiedTime(file);
        } catch (IOException e) {
            return FileTime.fromMillis(0);
        }
    }
}
