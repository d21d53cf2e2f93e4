package io.kbstream.core.testing;

import io.kbstream.core.config.KbConfig;
import io.kbstream.core.config.PostgresOptions;
import io.kbstream.core.store.ShardedStore;
import io.kbstream.core.store.internal.PgShardedStore;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * The local stack's store for one test class ({@code @RegisterExtension static}), and unique
 * tenants that are removed from every shard after each test.
 */
public final class StoreTenants implements BeforeAllCallback, AfterEachCallback, AfterAllCallback {

    private KbConfig config;
    private PgShardedStore store;
    private final List<String> tenants = new ArrayList<>();
    private final java.time.Duration searchTimeout;

    /** The store with the configured per-shard search timeout. */
    public StoreTenants() {
        this(null);
    }

    /**
     * The store with another per-shard search timeout: for tests of what a search answers, not of
     * how fast, whose exhaustive reference queries may outlast the 2 s default on a loaded machine.
     */
    public StoreTenants(java.time.Duration searchTimeout) {
        this.searchTimeout = searchTimeout;
    }

    @Override
    public void beforeAll(ExtensionContext context) {
        config = LocalStackConfig.load();
        if (searchTimeout != null) {
            config = config.with(PostgresOptions.SEARCH_TIMEOUT, searchTimeout.toString());
        }
        store = (PgShardedStore) ShardedStore.open(config);
    }

    @Override
    public void afterEach(ExtensionContext context) {
        tenants.forEach(store::deleteTenant);
        tenants.clear();
    }

    @Override
    public void afterAll(ExtensionContext context) {
        if (store != null) {
            store.close();
        }
    }

    public KbConfig config() {
        return config;
    }

    public PgShardedStore store() {
        return store;
    }

    /** A tenant name no other test uses, removed after this test. */
    public String tenant(String prefix) {
        String t = LocalStackConfig.uniqueTenant(prefix);
        tenants.add(t);
        return t;
    }
}
