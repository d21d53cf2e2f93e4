package io.kbstream.jobs.functions;

import static org.assertj.core.api.Assertions.assertThat;

import io.kbstream.core.config.KbConfig;
import io.kbstream.core.tenant.TenantDeleted;
import io.kbstream.jobs.records.IndexOp;
import io.kbstream.jobs.records.ParsedDocument;
import io.kbstream.schemas.DocumentVersions;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.runtime.state.TestableKeyedStateBackend;
import org.apache.flink.streaming.api.operators.co.CoBroadcastWithKeyedOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedBroadcastOperatorTestHarness;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Tests for {@link VersionGateFunction}. */
class VersionGateFunctionTest {

    private KeyedBroadcastOperatorTestHarness<String, ParsedDocument, TenantDeleted, ParsedDocument>
            harness;

    @BeforeEach
    void setUp() throws Exception {
        harness = harness(null);
    }

    /** A gate on one subtask, restored from {@code snapshot} when there is one. */
    private static KeyedBroadcastOperatorTestHarness<
                    String, ParsedDocument, TenantDeleted, ParsedDocument>
            harness(OperatorSubtaskState snapshot) throws Exception {
        var h =
                new KeyedBroadcastOperatorTestHarness<>(
                        new CoBroadcastWithKeyedOperator<>(
                                new VersionGateFunction(KbConfig.of(Map.of())),
                                List.of(DeletedTenants.STATE)),
                        ParsedDocument::documentKey,
                        Types.STRING,
                        1,
                        1,
                        0);
        h.setup();
        if (snapshot != null) {
            h.initializeState(snapshot);
        }
        h.open();
        return h;
    }

    @AfterEach
    void tearDown() throws Exception {
        harness.close();
    }

    @Test
    void first_version_passes_and_is_reported_processing() throws Exception {
        harness.processElement(doc("a", 1, "h1"), 0);
        assertThat(passed()).containsExactly(1L);
        assertThat(statuses()).containsExactly("PROCESSING");
    }

    @Test
    void unchanged_reupload_is_passed_on_marked_unchanged_and_not_reported_processing()
            throws Exception {
        harness.processElement(doc("a", 1, "h1"), 0);
        harness.processElement(doc("a", 2, "h1"), 0);
        assertThat(passed()).containsExactly(1L, 2L);
        assertThat(harness.extractOutputValues())
                .extracting(d -> d.unchanged)
                .containsExactly(false, true);
        assertThat(statuses()).containsExactly("PROCESSING");
    }

    @Test
    void older_version_arriving_after_newer_is_dropped() throws Exception {
        harness.processElement(doc("a", 5, "h5"), 0);
        harness.processElement(doc("a", 3, "h3"), 0);
        assertThat(passed()).containsExactly(5L);
    }

    @Test
    void delete_clears_the_document_state_and_drops_late_older_uploads() throws Exception {
        harness.processElement(doc("a", 1, "h1"), 0);
        harness.processElement(delete("a", 2), 0);
        harness.processElement(doc("a", 1, "h1"), 0);
        harness.processElement(doc("b", 1, "hb"), 0);
        assertThat(passed()).containsExactly(1L, 1L);
        assertThat(harness.getSideOutput(VersionGateFunction.IN_ORDER)).hasSize(1);
        // a's live-version state is gone; only its tombstone and b's version remain
        assertThat(keyedStateEntries()).isEqualTo(2);
    }

    @Test
    void newer_upload_after_delete_is_indexed_again() throws Exception {
        harness.processElement(doc("a", 1, "h1"), 0);
        harness.processElement(delete("a", 2), 0);
        harness.processElement(doc("a", 3, "h1"), 0);
        assertThat(passed()).containsExactly(1L, 3L);
    }

    @Test
    void a_version_from_the_log_passes_after_a_clock_version_an_older_build_left_in_state()
            throws Exception {
        long clockVersion = 1_790_000_000_000_000L; // microseconds since 1970, late 2026
        harness.processElement(doc("a", clockVersion, "h1"), 0);
        harness.processElement(delete("b", clockVersion), 0);

        harness.processElement(doc("a", DocumentVersions.ofOffset(0), "h2"), 0);
        harness.processElement(doc("b", DocumentVersions.ofOffset(0), "hb"), 0);

        assertThat(passed())
                .containsExactly(
                        clockVersion, DocumentVersions.ofOffset(0), DocumentVersions.ofOffset(0));
    }

    @Test
    void a_tenant_tombstone_clears_every_key_of_that_tenant_and_no_other() throws Exception {
        harness.processElement(doc("a", 1, "h1"), 0);
        harness.processElement(doc("b", 1, "hb"), 0);
        harness.processElement(delete("b", 2), 0);
        harness.processElement(doc("other", "a", 1, "h1"), 0);
        assertThat(keyedStateEntries()).isEqualTo(3);

        harness.processBroadcastElement(deleted("t", 3), 0);

        // only the other tenant's document is left
        assertThat(keyedStateEntries()).isEqualTo(1);
    }

    @Test
    void after_a_tenant_tombstone_earlier_uploads_are_dropped_and_a_later_same_upload_is_indexed()
            throws Exception {
        harness.processElement(doc("a", at(1), "h1"), 0);
        harness.processBroadcastElement(deleted("t", 3), 0);
        // written before the deletion, still in flight then: must not come back
        harness.processElement(doc("a", at(2), "h2"), 0);
        // the re-created tenant uploads the very same document again
        harness.processElement(doc("a", at(3), "h1"), 0);

        assertThat(passed()).containsExactly(at(1), at(3));
        assertThat(harness.extractOutputValues()).extracting(d -> d.unchanged).containsOnly(false);
        assertThat(statuses()).containsExactly("PROCESSING", "PROCESSING");
    }

    @Test
    void a_restored_gate_still_knows_the_deleted_tenants_and_their_cleared_keys() throws Exception {
        harness.processElement(doc("a", at(1), "h1"), 0);
        harness.processBroadcastElement(deleted("t", 3), 0);
        OperatorSubtaskState snapshot = harness.snapshot(1, 1);
        harness.close();

        harness = harness(snapshot);
        assertThat(keyedStateEntries()).isZero();
        harness.processElement(doc("a", at(2), "h1"), 0); // replayed after the restore
        harness.processElement(doc("a", at(3), "h1"), 0);
        assertThat(passed()).containsExactly(at(3));
        assertThat(harness.extractOutputValues()).extracting(d -> d.unchanged).containsOnly(false);
    }

    /** Entries of every keyed state of the gate, over all keys. */
    private int keyedStateEntries() {
        return ((TestableKeyedStateBackend<?>) harness.getOperator().getKeyedStateBackend())
                .numKeyValueStateEntries();
    }

    private List<Long> passed() {
        return harness.extractOutputValues().stream()
                .map(d -> d.version)
                .collect(Collectors.toList());
    }

    private List<String> statuses() {
        return harness.getSideOutput(VersionGateFunction.STATUSES).stream()
                .map(StreamRecord::getValue)
                .map(
                        (IndexOp op) ->
                                op.reason == null ? op.state.name() : op.state + ":" + op.reason)
                .collect(Collectors.toList());
    }

    private static ParsedDocument doc(String id, long version, String hash) {
        return doc("t", id, version, hash);
    }

    private static ParsedDocument doc(String tenant, String id, long version, String hash) {
        ParsedDocument d = new ParsedDocument();
        d.tenant = tenant;
        d.documentId = id;
        d.version = version;
        d.contentHash = hash;
        d.text = "text";
        return d;
    }

    /** The version of the event at {@code offset} of partition 0. */
    private static long at(long offset) {
        return DocumentVersions.ofOffset(offset);
    }

    /** {@code tenant} deleted when partition 0 of kb.documents ended at {@code end}. */
    private static TenantDeleted deleted(String tenant, long end) {
        return TenantDeleted.of(tenant, new long[] {end});
    }

    private static ParsedDocument delete(String id, long version) {
        ParsedDocument d = doc(id, version, null);
        d.delete = true;
        d.text = null;
        return d;
    }
}
