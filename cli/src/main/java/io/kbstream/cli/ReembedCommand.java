package io.kbstream.cli;

import io.kbstream.core.config.KbConfig;
import io.kbstream.core.embed.EmbeddingException;
import io.kbstream.core.models.ModelMigrations;
import io.kbstream.core.store.TenantModels;
import io.kbstream.stack.LocalReembed;
import java.util.concurrent.Callable;
import java.util.function.Function;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code kb reembed}: move a tenant to another embedding model while it stays searchable (issue
 * 20). The work is {@link LocalReembed} (job and migration steps); this prints.
 */
@Command(
        name = "reembed",
        mixinStandardHelpOptions = true,
        description =
                "Re-embed a tenant's chunks with another model, then switch its searches to it.",
        subcommands = {
            ReembedCommand.Status.class,
            ReembedCommand.SwitchTo.class,
            ReembedCommand.SwitchBack.class,
            ReembedCommand.DropOld.class,
            ReembedCommand.Cancel.class
        })
final class ReembedCommand implements Callable<Integer> {

    @Option(names = "--tenant", description = "Whose chunks (default ${DEFAULT-VALUE}).")
    String tenant = DemoCommand.TENANT;

    @Option(names = "--model", description = "The model to move to, e.g. bge-small-en-v15.")
    String model;

    @Option(
            names = "--no-switch",
            description = "Fill the vectors but keep searching with the current model.")
    boolean noSwitch;

    @Override
    public Integer call() throws Exception {
        if (model == null) {
            System.err.println("error: --model is required (e.g. --model bge-small-en-v15)");
            return 2;
        }
        return onKnownTenant(
                tenant,
                reembed -> {
                    ModelMigrations.Status done =
                            reembed.run(tenant, model, !noSwitch, ReembedCommand::bar);
                    System.out.println();
                    print(done);
                });
    }

    /** What a command does with the tenant's migration. */
    interface Action {
        void run(LocalReembed reembed) throws Exception;
    }

    /**
     * Runs {@code action} if the shards know {@code tenant}; a misspelt tenant, an unknown model or
     * a step the migration's state refuses is one line on stderr and exit 1, not a trace.
     */
    static int onKnownTenant(String tenant, Action action) throws Exception {
        try (LocalReembed reembed = new LocalReembed(KbConfig.load())) {
            if (!reembed.migrations().known(tenant)) {
                System.err.println(
                        "error: tenant "
                                + tenant
                                + " is unknown: it has no chunks and no model record on any shard");
                System.err.println("fix:   check --tenant (./kb tenant list shows the tenants)");
                return 1;
            }
            try {
                action.run(reembed);
                return 0;
            } catch (IllegalStateException | IllegalArgumentException | EmbeddingException e) {
                System.err.println("error: " + e.getMessage());
                return 1;
            }
        }
    }

    /** One line, redrawn: how many chunks have the target's vector. */
    static void bar(ModelMigrations.Status s) {
        if (!s.migrating() || s.chunks() == 0) {
            return;
        }
        long have = s.chunks() - s.missing();
        int width = 40;
        int filled = (int) (width * have / s.chunks());
        System.out.printf(
                "\r[%s%s] %d/%d chunks with %s",
                "#".repeat(filled),
                ".".repeat(width - filled),
                have,
                s.chunks(),
                s.models().target());
        System.out.flush();
    }

    static void print(ModelMigrations.Status s) {
        TenantModels m = s.models();
        System.out.printf(
                "tenant %s: active %s, target %s, previous %s; %d chunks, vectors %s, missing %d%n",
                m.tenant(),
                m.active(),
                m.target() == null ? "-" : m.target(),
                m.previous() == null ? "-" : m.previous(),
                s.chunks(),
                s.vectors(),
                s.missing());
    }

    /** A step of the migration on one tenant, then its status. */
    abstract static class Step implements Callable<Integer> {
        @Option(names = "--tenant", description = "Whose models (default ${DEFAULT-VALUE}).")
        String tenant = DemoCommand.TENANT;

        abstract Function<ModelMigrations, Object> step();

        @Override
        public Integer call() throws Exception {
            return onKnownTenant(
                    tenant,
                    reembed -> {
                        step().apply(reembed.migrations());
                        print(reembed.migrations().status(tenant));
                    });
        }
    }

    @Command(name = "status", description = "The tenant's models and the migration's progress.")
    static final class Status extends Step {
        @Override
        Function<ModelMigrations, Object> step() {
            return m -> m;
        }
    }

    @Command(name = "switch", description = "Search with the target (every chunk must have it).")
    static final class SwitchTo extends Step {
        @Override
        Function<ModelMigrations, Object> step() {
            return m -> m.switchToTarget(tenant);
        }
    }

    @Command(name = "switch-back", description = "Search with the previous model again.")
    static final class SwitchBack extends Step {
        @Override
        Function<ModelMigrations, Object> step() {
            return m -> m.switchBack(tenant);
        }
    }

    @Command(name = "drop-old", description = "Delete the previous model's vectors (no way back).")
    static final class DropOld extends Step {
        @Override
        Function<ModelMigrations, Object> step() {
            return m -> m.dropPrevious(tenant);
        }
    }

    @Command(name = "cancel", description = "Stop a migration before its switch.")
    static final class Cancel extends Step {
        @Override
        Function<ModelMigrations, Object> step() {
            return m -> m.cancel(tenant);
        }
    }
}
