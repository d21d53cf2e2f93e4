package io.kbstream.benchmark.scale;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.Random;
import org.postgresql.copy.CopyManager;
import org.postgresql.core.BaseConnection;

/**
 * Loads synthetic documents and chunks straight into one shard with binary COPY, one transaction
 * per batch: the documents, then their chunks (one COPY statement, so the BM25 triggers run once
 * per batch over all of its chunks), then their vectors into the model's vector table (migration
 * 011), joined to the chunk ids Postgres gave. Three chunks per document. {@link #loadWithoutBm25}
 * is the bulk variant for a scratch database: no triggers, one recount afterwards.
 */
final class ChunkCopier {

    static final int CHUNKS_PER_DOCUMENT = 3;

    private static final byte[] HEADER = {
        'P', 'G', 'C', 'O', 'P', 'Y', '\n', (byte) 0xff, '\r', '\n', 0, 0, 0, 0, 0, 0, 0, 0, 0
    };

    private final SyntheticCorpus corpus;
    private final int dimension;
    private final String vectorTable;

    /** {@code vectorTable}: the model's table, as {@code ShardMigrations.ensureModel} named it. */
    ChunkCopier(SyntheticCorpus corpus, int dimension, String vectorTable) {
        this.corpus = corpus;
        this.dimension = dimension;
        this.vectorTable = vectorTable;
    }

    /**
     * Adds {@code chunks} chunks to {@code tenant}, document ids from {@code firstDocument} on.
     *
     * @return documents written
     */
    long load(Connection c, String tenant, long firstDocument, long chunks, Random random)
            throws SQLException {
        CopyManager copy = new CopyManager(c.unwrap(BaseConnection.class));
        boolean autoCommit = c.getAutoCommit();
        c.setAutoCommit(false);
        long documents = 0;
        try (java.sql.Statement st = c.createStatement()) {
            // chunk ids exist only once the chunks are in: vectors wait here, keyed by chunk
            st.execute(
                    "CREATE TEMP TABLE IF NOT EXISTS scale_vectors_in (tenant text, doc_id text,"
                            + " chunk_no int, embedding vector("
                            + dimension
                            + ")) ON COMMIT DELETE ROWS");
            long done = 0;
            while (done < chunks) {
                long batch = Math.min(10_000, chunks - done);
                long docs = (batch + CHUNKS_PER_DOCUMENT - 1) / CHUNKS_PER_DOCUMENT;
                Batch b = new Batch();
                long left = batch;
                for (long d = 0; d < docs; d++) {
                    String id = "doc-" + (firstDocument + documents + d);
                    String title = corpus.title(random);
                    int n = (int) Math.min(CHUNKS_PER_DOCUMENT, left);
                    b.document(tenant, id, title, n);
                    for (int i = 0; i < n; i++) {
                        b.chunk(
                                tenant,
                                id,
                                i,
                                title,
                                corpus.chunkText(random),
                                SyntheticCorpus.unitVector(random, dimension));
                    }
                    left -= n;
                }
                copy.copyIn(
                        "COPY documents (tenant, id, version, content_hash, title, chunk_count,"
                                + " model) FROM STDIN (FORMAT binary)",
                        b.documents());
                copy.copyIn(
                        "COPY chunks (tenant, doc_id, chunk_no, version, title, text, start_char,"
                                + " end_char) FROM STDIN (FORMAT binary)",
                        b.chunks());
                copy.copyIn(
                        "COPY scale_vectors_in (tenant, doc_id, chunk_no, embedding) FROM STDIN"
                                + " (FORMAT binary)",
                        b.vectors());
                st.execute(
                        "INSERT INTO "
                                + vectorTable
                                + " (tenant, chunk_id, embedding) SELECT c.tenant, c.id,"
                                + " v.embedding FROM scale_vectors_in v JOIN chunks c ON c.tenant ="
                                + " v.tenant AND c.doc_id = v.doc_id AND c.chunk_no = v.chunk_no");
                c.commit();
                documents += docs;
                done += batch;
            }
        } catch (SQLException | IOException | RuntimeException e) {
            c.rollback();
            throw e instanceof SQLException s ? s : new SQLException("COPY failed: " + e, e);
        } finally {
            c.setAutoCommit(autoCommit);
        }
        return documents;
    }

    /**
     * As {@link #load}, with migration 009's {@code chunks_bm25_insert} trigger off: the BM25
     * statistics and postings are left stale, for one {@code kb_bm25_recount()} (migration 013)
     * after the whole load instead of the trigger's upserts and row-by-row posting inserts per
     * batch. Only for a scratch database without other writers: disabling a trigger holds for every
     * session. The connection must be in autocommit mode; the trigger is back on when this returns,
     * also on failure. (The other BM25 triggers, on delete, update and truncate, see no statement
     * here; migration 009's are the only triggers on chunks.)
     */
    long loadWithoutBm25(
            Connection c, String tenant, long firstDocument, long chunks, Random random)
            throws SQLException {
        try (java.sql.Statement st = c.createStatement()) {
            st.execute("ALTER TABLE chunks DISABLE TRIGGER chunks_bm25_insert");
            try {
                return load(c, tenant, firstDocument, chunks, random);
            } finally {
                st.execute("ALTER TABLE chunks ENABLE TRIGGER chunks_bm25_insert");
            }
        }
    }

    /** One batch in Postgres' binary COPY format. */
    private final class Batch {
        private final ByteArrayOutputStream documentBytes = new ByteArrayOutputStream();
        private final ByteArrayOutputStream chunkBytes = new ByteArrayOutputStream();
        private final DataOutputStream docs = new DataOutputStream(documentBytes);
        private final DataOutputStream chunks = new DataOutputStream(chunkBytes);
        private final ByteArrayOutputStream vectorBytes = new ByteArrayOutputStream();
        private final DataOutputStream vectors = new DataOutputStream(vectorBytes);

        Batch() {
            try {
                docs.write(HEADER);
                chunks.write(HEADER);
                vectors.write(HEADER);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        void document(String tenant, String id, String title, int chunkCount) {
            try {
                docs.writeShort(7);
                text(docs, tenant);
                text(docs, id);
                docs.writeInt(8);
                docs.writeLong(1);
                text(docs, "synthetic");
                text(docs, title);
                docs.writeInt(4);
                docs.writeInt(chunkCount);
                text(docs, "random-unit-vectors");
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        void chunk(String tenant, String id, int no, String title, String text, float[] v) {
            try {
                chunks.writeShort(8);
                text(chunks, tenant);
                text(chunks, id);
                chunks.writeInt(4);
                chunks.writeInt(no);
                chunks.writeInt(8);
                chunks.writeLong(1);
                text(chunks, title);
                text(chunks, text);
                chunks.writeInt(4);
                chunks.writeInt(0);
                chunks.writeInt(4);
                chunks.writeInt(text.length());
                vectors.writeShort(4);
                text(vectors, tenant);
                text(vectors, id);
                vectors.writeInt(4);
                vectors.writeInt(no);
                // pgvector's binary form: dimension, an unused int16, then the floats
                vectors.writeInt(4 + 4 * v.length);
                vectors.writeShort(v.length);
                vectors.writeShort(0);
                for (float f : v) {
                    vectors.writeFloat(f);
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        ByteArrayInputStream documents() throws IOException {
            docs.writeShort(-1);
            return new ByteArrayInputStream(documentBytes.toByteArray());
        }

        ByteArrayInputStream chunks() throws IOException {
            chunks.writeShort(-1);
            return new ByteArrayInputStream(chunkBytes.toByteArray());
        }

        ByteArrayInputStream vectors() throws IOException {
            vectors.writeShort(-1);
            return new ByteArrayInputStream(vectorBytes.toByteArray());
        }

        private void text(DataOutputStream out, String s) throws IOException {
            byte[] bytes = s.getBytes(StandardCharsets.UTF_8);
            out.writeInt(bytes.length);
            out.write(bytes);
        }
    }
}
