package io.kbstream.reliability;

import io.kbstream.core.chunk.Chunk;
import io.kbstream.core.chunk.Chunker;
import io.kbstream.core.config.KbConfig;
import io.kbstream.core.config.PostgresOptions;
import io.kbstream.core.store.ShardRouter;
import io.kbstream.schemas.DocumentState;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.postgresql.ds.PGSimpleDataSource;

/**
 * Checks the promised end state ({@link Ledger#expected()}) against every shard, row by row: each
 * acknowledged document must be on its shard exactly once, at its acknowledged version or later,
 * INDEXED, with exactly the chunks (texts, in order) the chunker makes of its acknowledged text,
 * all of the stored version; each acknowledged delete must have left nothing. The stored version
 * may be lower than the acknowledged one only when the chunks are identical: an unchanged re-upload
 * (a retry of an upload that reached Kafka although its client saw an error) keeps the version.
 */
public final class ShardAudit {

    private static final String DOCUMENTS =
            "SELECT id, version, status, chunk_count FROM documents WHERE tenant = ?";

    private static final String CHUNKS =
            "SELECT doc_id, version, text FROM chunks WHERE tenant = ? ORDER BY doc_id, chunk_no";

    private final List<PGSimpleDataSource> shards = new ArrayList<>();
    private final ShardRouter router;
    private final Chunker chunker;
    private final Map<String, List<String>> expectedChunks = new ConcurrentHashMap<>();

    public ShardAudit(KbConfig config) {
        for (String url : config.get(PostgresOptions.SHARDS)) {
            PGSimpleDataSource shard = new PGSimpleDataSource();
            shard.setUrl(url);
            shard.setUser(config.get(PostgresOptions.USER));
            shard.setPassword(config.get(PostgresOptions.PASSWORD));
            shard.setConnectTimeout(3);
            shards.add(shard);
        }
        this.router = ShardRouter.fromConfig(config);
        this.chunker = Chunker.forConfig(config);
    }

    /** The verdict; {@code problems} names the first documents that are not as promised. */
    public record Audit(
            int acknowledged,
            int indexed,
            int lost,
            int duplicated,
            int deletes,
            int unacknowledgedIndexed,
            List<String> problems) {

        public boolean exact() {
            return lost == 0 && duplicated == 0 && indexed == acknowledged;
        }
    }

    /** One documents row as a shard holds it, with its chunks' texts in order. */
    private record Row(
            int shard,
            long version,
            String status,
            int chunkCount,
            List<String> chunks,
            List<Long> chunkVersions) {}

    /** How many of {@code tenant}'s documents the shards hold INDEXED now. */
    public int indexedCount(String tenant) throws SQLException {
        int n = 0;
        for (PGSimpleDataSource shard : shards) {
            try (Connection c = shard.getConnection();
                    PreparedStatement st =
                            c.prepareStatement(
                                    "SELECT count(*) FROM documents WHERE tenant = ?"
                                            + " AND status = 'INDEXED'")) {
                st.setString(1, tenant);
                try (ResultSet rs = st.executeQuery()) {
                    rs.next();
                    n += rs.getInt(1);
                }
            }
        }
        return n;
    }

    /** Audits {@code tenant} now; a shard that does not answer fails with its SQLException. */
    public Audit audit(String tenant, Map<String, Ledger.Expected> expected) throws SQLException {
        Map<String, List<Row>> rows = rows(tenant);
        int acknowledged = 0;
        int indexed = 0;
        int lost = 0;
        int duplicated = 0;
        int deletes = 0;
        List<String> problems = new ArrayList<>();
        for (Ledger.Expected e : expected.values()) {
            List<Row> found = rows.getOrDefault(e.id(), List.of());
            String problem;
            if (e.deleted()) {
                deletes++;
                problem = found.isEmpty() ? null : "deleted but still on a shard";
                duplicated += problem == null ? 0 : 1;
            } else {
                acknowledged++;
                problem = check(tenant, e, found);
                if (problem == null) {
                    indexed++;
                } else if (problem.startsWith("dup")) {
                    duplicated++;
                } else {
                    lost++;
                }
            }
            if (problem != null && problems.size() < 10) {
                problems.add(e.id() + ": " + problem);
            }
        }
        int extra = (int) rows.keySet().stream().filter(id -> !expected.containsKey(id)).count();
        return new Audit(acknowledged, indexed, lost, duplicated, deletes, extra, problems);
    }

    /**
     * Audits until nothing acknowledged is missing any more or {@code timeout} passes (a shard that
     * is down counts as not yet), and returns the last audit.
     */
    public Audit awaitSettled(
            String tenant, Map<String, Ledger.Expected> expected, Duration timeout)
            throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        Audit last = null;
        while (true) {
            try {
                last = audit(tenant, expected);
                if (last.lost() == 0) {
                    return last;
                }
            } catch (SQLException shardDown) {
                // not settled while a shard does not answer
            }
            if (System.nanoTime() > deadline) {
                return last != null
                        ? last
                        : new Audit(
                                expected.size(),
                                0,
                                expected.size(),
                                0,
                                0,
                                0,
                                List.of("no shard answered"));
            }
            Thread.sleep(1000);
        }
    }

    private String check(String tenant, Ledger.Expected e, List<Row> found) {
        if (found.isEmpty()) {
            return "missing";
        }
        if (found.size() > 1) {
            return "duplicated on " + found.size() + " shards";
        }
        Row row = found.get(0);
        List<String> chunks =
                expectedChunks.computeIfAbsent(
                        e.text(), t -> chunker.chunk(t).stream().map(Chunk::text).toList());
        if (row.shard() != router.shardOf(tenant, e.id())) {
            return "on shard " + row.shard() + ", routed to " + router.shardOf(tenant, e.id());
        }
        if (!DocumentState.INDEXED.name().equals(row.status())) {
            return "status " + row.status();
        }
        if (row.chunkVersions().stream().anyMatch(v -> v != row.version())) {
            return "duplicated chunks of another version";
        }
        if (row.version() < e.version() && !row.chunks().equals(chunks)) {
            // an older revision still in place: not yet (or never) replaced
            return "version " + row.version() + " < acknowledged " + e.version();
        }
        if (row.chunks().size() > chunks.size()) {
            return "duplicated chunks: " + row.chunks().size() + " rows, expected " + chunks.size();
        }
        if (!row.chunks().equals(chunks) || row.chunkCount() != chunks.size()) {
            return "chunks differ from the acknowledged text";
        }
        // same chunks at a lower version: an unchanged re-upload, which keeps the stored version
        return null;
    }

    private Map<String, List<Row>> rows(String tenant) throws SQLException {
        Map<String, List<Row>> out = new HashMap<>();
        for (int shard = 0; shard < shards.size(); shard++) {
            try (Connection c = shards.get(shard).getConnection()) {
                // one snapshot for both queries: the pipeline commits while we read
                c.setAutoCommit(false);
                c.setTransactionIsolation(Connection.TRANSACTION_REPEATABLE_READ);
                c.setReadOnly(true);
                Map<String, Row> docs = new HashMap<>();
                try (ResultSet rs = query(c, DOCUMENTS, tenant)) {
                    while (rs.next()) {
                        Row row =
                                new Row(
                                        shard,
                                        rs.getLong(2),
                                        rs.getString(3),
                                        rs.getInt(4),
                                        new ArrayList<>(),
                                        new ArrayList<>());
                        docs.put(rs.getString(1), row);
                        out.computeIfAbsent(rs.getString(1), id -> new ArrayList<>()).add(row);
                    }
                }
                try (ResultSet rs = query(c, CHUNKS, tenant)) {
                    while (rs.next()) {
                        Row row = docs.get(rs.getString(1));
                        row.chunkVersions().add(rs.getLong(2));
                        row.chunks().add(rs.getString(3));
                    }
                }
                c.commit();
            }
        }
        return out;
    }

    private static ResultSet query(Connection c, String sql, String tenant) throws SQLException {
        PreparedStatement st = c.prepareStatement(sql);
        st.setString(1, tenant);
        st.closeOnCompletion();
        return st.executeQuery();
    }
}
