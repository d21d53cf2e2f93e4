package io.kbstream.jobs.functions;

import static org.assertj.core.api.Assertions.assertThat;

import io.kbstream.jobs.records.ChunkTask;
import io.kbstream.jobs.records.IndexOp;
import java.util.List;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.operators.co.KeyedCoProcessOperator;
import org.apache.flink.streaming.util.KeyedTwoInputStreamOperatorTestHarness;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Tests for {@link DocumentAssembler}. */
class DocumentAssemblerTest {

    private KeyedTwoInputStreamOperatorTestHarness<String, ChunkTask, IndexOp, IndexOp> harness;

    @BeforeEach
    void setUp() throws Exception {
        harness =
                new KeyedTwoInputStreamOperatorTestHarness<>(
                        new KeyedCoProcessOperator<>(new DocumentAssembler()),
                        ChunkTask::documentKey,
                        IndexOp::documentKey,
                        Types.STRING);
        harness.open();
    }

    @AfterEach
    void tearDown() throws Exception {
        harness.close();
    }

    @Test
    void document_is_emitted_only_when_all_its_chunks_arrived_in_any_order() throws Exception {
        harness.processElement1(chunk("a", 1, 2, 3), 0);
        harness.processElement1(chunk("a", 1, 0, 3), 0);
        assertThat(harness.extractOutputValues()).isEmpty();
        harness.processElement1(chunk("a", 1, 1, 3), 0);

        List<IndexOp> out = harness.extractOutputValues();
        assertThat(out).hasSize(1);
        assertThat(out.get(0).kind).isEqualTo(IndexOp.Kind.UPSERT);
        assertThat(out.get(0).chunks).extracting(c -> c.chunkNo).containsExactly(0, 1, 2);
        // only the emitted version is remembered, and only until its retention timer fires
        assertThat(harness.numKeyedStateEntries()).isEqualTo(1);
        harness.setProcessingTime(DocumentAssembler.RETAIN_AFTER_EMIT.toMillis() + 1);
        assertThat(harness.numKeyedStateEntries()).isZero();
        assertThat(harness.numProcessingTimeTimers()).isZero();
    }

    @Test
    void chunks_of_an_older_version_are_discarded_when_a_newer_version_starts() throws Exception {
        harness.processElement1(chunk("a", 1, 0, 2), 0);
        harness.processElement1(chunk("a", 2, 0, 1), 0);
        harness.processElement1(chunk("a", 1, 1, 2), 0);
        harness.processElement1(chunk("a", 1, 0, 2), 0);

        assertThat(harness.extractOutputValues()).extracting(op -> op.version).containsExactly(2L);
        harness.setProcessingTime(DocumentAssembler.RETAIN_AFTER_EMIT.toMillis() + 1);
        assertThat(harness.numKeyedStateEntries()).isZero();
    }

    @Test
    void delete_that_overtakes_an_upload_still_embedding_wins_and_the_upload_is_dropped()
            throws Exception {
        harness.processElement1(chunk("a", 1, 0, 2), 0);
        harness.processElement2(delete("a", 2), 0);
        harness.processElement1(chunk("a", 1, 1, 2), 0);

        assertThat(harness.extractOutputValues())
                .extracting(op -> op.kind.name() + op.version)
                .containsExactly("DELETE2");
    }

    private static IndexOp delete(String doc, long version) {
        IndexOp op = new IndexOp();
        op.kind = IndexOp.Kind.DELETE;
        op.tenant = "t";
        op.documentId = doc;
        op.version = version;
        return op;
    }

    private static ChunkTask chunk(String doc, long version, int no, int count) {
        ChunkTask c = new ChunkTask();
        c.tenant = "t";
        c.documentId = doc;
        c.version = version;
        c.chunkNo = no;
        c.chunkCount = count;
        c.text = "chunk " + no;
        c.embedding = new float[] {no};
        return c;
    }
}
