package io.kbstream.jobs.functions;

import static org.assertj.core.api.Assertions.assertThat;

import io.kbstream.core.tenant.TenantDeleted;
import io.kbstream.jobs.records.AssemblyInput;
import io.kbstream.jobs.records.ChunkTask;
import io.kbstream.jobs.records.IndexOp;
import io.kbstream.schemas.DocumentVersions;
import java.util.List;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.java.typeutils.PojoTypeInfo;
import org.apache.flink.runtime.state.TestableKeyedStateBackend;
import org.apache.flink.streaming.api.operators.co.CoBroadcastWithKeyedOperator;
import org.apache.flink.streaming.util.KeyedBroadcastOperatorTestHarness;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Tests for {@link DocumentAssembler}. */
class DocumentAssemblerTest {

    private KeyedBroadcastOperatorTestHarness<String, AssemblyInput, TenantDeleted, IndexOp>
            harness;

    @BeforeEach
    void setUp() throws Exception {
        harness =
                new KeyedBroadcastOperatorTestHarness<>(
                        new CoBroadcastWithKeyedOperator<>(
                                new DocumentAssembler(), List.of(DeletedTenants.STATE)),
                        AssemblyInput::documentKey,
                        Types.STRING,
                        1,
                        1,
                        0);
        harness.open();
    }

    @AfterEach
    void tearDown() throws Exception {
        harness.close();
    }

    @Test
    void document_is_emitted_only_when_all_its_chunks_arrived_in_any_order() throws Exception {
        harness.processElement(chunk("a", 1, 2, 3), 0);
        harness.processElement(chunk("a", 1, 0, 3), 0);
        assertThat(harness.extractOutputValues()).isEmpty();
        harness.processElement(chunk("a", 1, 1, 3), 0);

        List<IndexOp> out = harness.extractOutputValues();
        assertThat(out).hasSize(1);
        assertThat(out.get(0).kind).isEqualTo(IndexOp.Kind.UPSERT);
        assertThat(out.get(0).chunks).extracting(c -> c.chunkNo).containsExactly(0, 1, 2);
        // only the emitted version is remembered, and only until its retention timer fires
        assertThat(keyedStateEntries()).isEqualTo(1);
        harness.setProcessingTime(DocumentAssembler.RETAIN_AFTER_EMIT.toMillis() + 1);
        assertThat(keyedStateEntries()).isZero();
        assertThat(harness.numProcessingTimeTimers()).isZero();
    }

    @Test
    void chunks_of_an_older_version_are_discarded_when_a_newer_version_starts() throws Exception {
        harness.processElement(chunk("a", 1, 0, 2), 0);
        harness.processElement(chunk("a", 2, 0, 1), 0);
        harness.processElement(chunk("a", 1, 1, 2), 0);
        harness.processElement(chunk("a", 1, 0, 2), 0);

        assertThat(harness.extractOutputValues()).extracting(op -> op.version).containsExactly(2L);
        harness.setProcessingTime(DocumentAssembler.RETAIN_AFTER_EMIT.toMillis() + 1);
        assertThat(keyedStateEntries()).isZero();
    }

    @Test
    void delete_that_overtakes_an_upload_still_embedding_wins_and_the_upload_is_dropped()
            throws Exception {
        harness.processElement(chunk("a", 1, 0, 2), 0);
        harness.processElement(delete("a", 2), 0);
        harness.processElement(chunk("a", 1, 1, 2), 0);

        assertThat(harness.extractOutputValues())
                .extracting(op -> op.kind.name() + op.version)
                .containsExactly("DELETE2");
    }

    @Test
    void a_tenant_tombstone_clears_every_key_of_that_tenant_and_no_other() throws Exception {
        harness.processElement(chunk("a", at(1), 0, 2), 0); // in assembly: chunks, received
        harness.processElement(chunk("b", at(2), 0, 1), 0); // emitted: its version
        harness.processElement(delete("c", at(3)), 0); // passed: the delete's version
        harness.processElement(chunk("other", "a", at(1), 0, 2), 0);
        int otherTenant = 3; // progress, one chunk, received
        assertThat(keyedStateEntries()).isEqualTo(3 + 1 + 1 + otherTenant);

        harness.processBroadcastElement(deleted("t", 4), 0);

        assertThat(keyedStateEntries()).isEqualTo(otherTenant);
        // the retention timers of the cleared keys fire once, find nothing and leave nothing
        harness.setProcessingTime(DocumentAssembler.RETAIN_AFTER_EMIT.toMillis() + 1);
        assertThat(harness.numProcessingTimeTimers()).isZero();
        assertThat(keyedStateEntries()).isEqualTo(otherTenant);
        harness.processElement(chunk("other", "a", at(1), 1, 2), 0);
        assertThat(harness.extractOutputValues())
                .extracting(op -> op.tenant + "/" + op.documentId + "@" + op.kind)
                .containsExactly("t/b@UPSERT", "t/c@DELETE", "other/a@UPSERT");
    }

    @Test
    void after_a_tenant_tombstone_its_earlier_chunks_are_dropped_and_a_later_upload_is_assembled()
            throws Exception {
        harness.processElement(chunk("a", at(1), 0, 2), 0);
        harness.processBroadcastElement(deleted("t", 3), 0);
        assertThat(keyedStateEntries()).isZero();

        // written before the deletion, still in flight then: must neither come back nor keep state
        harness.processElement(chunk("a", at(1), 1, 2), 0);
        harness.processElement(chunk("a", at(2), 0, 1), 0);
        harness.processElement(delete("b", at(2)), 0);
        assertThat(harness.extractOutputValues()).isEmpty();
        assertThat(keyedStateEntries()).isZero();
        assertThat(harness.numProcessingTimeTimers()).isZero();

        // the re-created tenant uploads the same document again, above the mark
        harness.processElement(chunk("a", at(3), 1, 2), 0);
        harness.processElement(chunk("a", at(3), 0, 2), 0);
        assertThat(harness.extractOutputValues())
                .extracting(op -> op.kind.name() + "@" + op.version)
                .containsExactly("UPSERT@" + at(3));
        assertThat(harness.extractOutputValues().get(0).chunks)
                .extracting(c -> c.chunkNo)
                .containsExactly(0, 1);
    }

    @Test
    void its_input_travels_with_flinks_pojo_serializer_not_kryo() {
        assertThat(TypeInformation.of(AssemblyInput.class)).isInstanceOf(PojoTypeInfo.class);
    }

    /** Entries of every keyed state of the assembler, over all keys (as in the gate's test). */
    private int keyedStateEntries() {
        return ((TestableKeyedStateBackend<?>) harness.getOperator().getKeyedStateBackend())
                .numKeyValueStateEntries();
    }

    /** The version of the event at {@code offset} of partition 0. */
    private static long at(long offset) {
        return DocumentVersions.ofOffset(offset);
    }

    /** {@code tenant} deleted when partition 0 of kb.documents ended at {@code end}. */
    private static TenantDeleted deleted(String tenant, long end) {
        return TenantDeleted.of(tenant, new long[] {end});
    }

    private static AssemblyInput delete(String doc, long version) {
        IndexOp op = new IndexOp();
        op.kind = IndexOp.Kind.DELETE;
        op.tenant = "t";
        op.documentId = doc;
        op.version = version;
        return AssemblyInput.delete(op);
    }

    private static AssemblyInput chunk(String doc, long version, int no, int count) {
        return chunk("t", doc, version, no, count);
    }

    private static AssemblyInput chunk(String tenant, String doc, long version, int no, int count) {
        ChunkTask c = new ChunkTask();
        c.tenant = tenant;
        c.documentId = doc;
        c.version = version;
        c.chunkNo = no;
        c.chunkCount = count;
        c.text = "chunk " + no;
        c.embedding = new float[] {no};
        return AssemblyInput.chunk(c);
    }
}
