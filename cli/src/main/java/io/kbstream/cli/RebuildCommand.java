package io.kbstream.cli;

import io.kbstream.core.config.KbConfig;
import io.kbstream.core.config.PipelineOptions;
import io.kbstream.stack.LocalRebuild;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code kb rebuild}: replay the documents log into empty shards (issue 20). The work is {@link
 * LocalRebuild}; this prints.
 */
@Command(
        name = "rebuild",
        mixinStandardHelpOptions = true,
        description =
                "Replay kb.documents into empty shards (another shard count, another model);"
                        + " the live shards are not touched.")
final class RebuildCommand implements Callable<Integer> {

    @Option(
            names = "--tenant",
            description = "Rebuild only this tenant (default: every tenant with documents).")
    String tenant;

    @Option(
            names = "--model",
            description = "Embed with this model (default: each tenant's active model).")
    String model;

    @Option(
            names = "--shards",
            split = ",",
            paramLabel = "JDBC_URL",
            description =
                    "The target shards, comma-separated, e.g."
                            + " jdbc:postgresql://127.0.0.1:25400/kb_r0,jdbc:postgresql://127.0.0.1:25401/kb_r1"
                            + " (missing databases are created; default: kb.rebuild.shards).")
    List<String> shards;

    @Override
    public Integer call() throws Exception {
        KbConfig config = KbConfig.load();
        if (shards != null) {
            config = config.with(PipelineOptions.REBUILD_SHARDS, String.join(",", shards));
        }
        LocalRebuild.Summary done =
                new LocalRebuild(config).run(tenant, model, RebuildCommand::bar);
        System.out.println();
        System.out.printf(
                Locale.ROOT,
                "rebuilt %d tenant(s) %s into %d shard(s) in %d s: %d documents, %d chunks;"
                        + " replayed %d offsets%n",
                done.models().size(),
                done.models(),
                done.shards().size(),
                done.took().toSeconds(),
                done.documents(),
                done.chunks(),
                done.offsets());
        System.out.println("  shards: " + String.join(",", done.shards()));
        if (tenant == null) {
            System.out.println(
                    "  to index on into them (its own checkpoints, this group's offsets):"
                            + " KB_POSTGRES_SHARDS="
                            + String.join(",", done.shards())
                            + " KB_PIPELINE_CONSUMER_GROUP="
                            + done.consumerGroup()
                            + " KB_PIPELINE_CHECKPOINT_DIR=<another folder> ./kb pipeline --fresh");
        }
        return 0;
    }

    /** One line, redrawn: offsets of the log replayed. */
    private static void bar(LocalRebuild.Progress p) {
        if (p.offsetsToRead() == 0) {
            return;
        }
        int width = 40;
        int filled = (int) (width * p.offsetsRead() / p.offsetsToRead());
        System.out.printf(
                Locale.ROOT,
                "\r[%s%s] %d/%d offsets of the log replayed",
                "#".repeat(filled),
                ".".repeat(width - filled),
                p.offsetsRead(),
                p.offsetsToRead());
        System.out.flush();
    }
}
