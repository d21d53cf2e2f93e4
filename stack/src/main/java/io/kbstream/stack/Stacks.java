package io.kbstream.stack;

import io.kbstream.core.config.KbConfig;
import io.kbstream.core.config.PostgresOptions;
import io.kbstream.core.store.ShardMigrations;
import java.util.List;
import org.postgresql.ds.PGSimpleDataSource;

/** Opens the local stack with the shard migrations applied to each shard as it starts. */
public final class Stacks {

    private Stacks() {}

    public static LocalStack open() {
        return LocalStack.open(Stacks::migrate);
    }

    /** Applies the packaged SQL migrations (idempotent) to one shard. */
    private static void migrate(String jdbcUrl) {
        KbConfig config = KbConfig.load();
        PGSimpleDataSource shard = new PGSimpleDataSource();
        shard.setUrl(jdbcUrl);
        shard.setUser(config.get(PostgresOptions.USER));
        shard.setPassword(config.get(PostgresOptions.PASSWORD));
        List<String> applied = ShardMigrations.apply(shard);
        if (!applied.isEmpty()) {
            System.out.println(
                    "  migrations applied to " + jdbcUrl + ": " + String.join(", ", applied));
        }
    }
}
