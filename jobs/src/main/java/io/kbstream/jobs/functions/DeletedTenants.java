package io.kbstream.jobs.functions;

import io.kbstream.core.tenant.TenantDeleted;
import io.kbstream.schemas.EventKeys;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.ReadOnlyBroadcastState;
import org.apache.flink.api.common.state.State;
import org.apache.flink.api.common.state.StateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.streaming.api.functions.co.KeyedBroadcastProcessFunction;

/**
 * The tenant tombstones ({@link TenantDeleted}, broadcast from {@code kb.tenant-events}) as the
 * keyed operators that hold a tenant's state honour them: the version gate and the document
 * assembler. Each keeps the tombstones in its broadcast state, clears every key of the tenant when
 * one arrives, and drops the tenant's events below its mark.
 */
public final class DeletedTenants {

    private DeletedTenants() {}

    /** Deleted tenants → their tombstone: the broadcast state every subtask keeps alike. */
    public static final MapStateDescriptor<String, TenantDeleted> STATE =
            new MapStateDescriptor<>(
                    "deleted-tenants",
                    TypeInformation.of(String.class),
                    TypeInformation.of(TenantDeleted.class));

    /**
     * True if the tenant's event at {@code version} of {@code partition} was written before the
     * tenant was deleted: nothing of it may come back.
     */
    static boolean covers(
            ReadOnlyBroadcastState<String, TenantDeleted> deleted,
            String tenant,
            int partition,
            long version)
            throws Exception {
        TenantDeleted deletion = deleted.get(tenant);
        return deletion != null && deletion.covers(partition, version);
    }

    /**
     * Remembers {@code deletion} and clears every key of its tenant ({@code tenant/…}) in each of
     * {@code states}. Runs on the keys of this subtask; every subtask gets the tombstone.
     */
    static void apply(
            TenantDeleted deletion,
            KeyedBroadcastProcessFunction<String, ?, TenantDeleted, ?>.Context ctx,
            StateDescriptor<?, ?>... states)
            throws Exception {
        ctx.getBroadcastState(STATE).put(deletion.tenant, deletion);
        String prefix = EventKeys.documentKey(deletion.tenant, "");
        for (StateDescriptor<?, ?> state : states) {
            clearKeys(ctx, state, prefix);
        }
    }

    private static <S extends State> void clearKeys(
            KeyedBroadcastProcessFunction<String, ?, TenantDeleted, ?>.Context ctx,
            StateDescriptor<S, ?> descriptor,
            String prefix)
            throws Exception {
        ctx.applyToKeyedState(
                descriptor,
                (key, state) -> {
                    if (key.startsWith(prefix)) {
                        state.clear();
                    }
                });
    }
}
