package io.kbstream.core.testing;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/**
 * Recounts a tenant's BM25 statistics on one shard from its chunks as they are now, and compares
 * them with the statistics the triggers kept while the chunks were written, replaced and deleted:
 * chunk count and total length, document frequency per term, and every posting (chunk, term, tf,
 * length). Equal means no write was counted twice, missed, or left behind.
 */
public final class Bm25Audit {

    private Bm25Audit() {}

    /** What differs, one line each; empty when the kept statistics are exactly the recount. */
    public static List<String> differences(Connection c, String tenant) throws SQLException {
        List<String> out = new ArrayList<>();
        query(
                c,
                "SELECT coalesce(k.chunk_count, 0), coalesce(k.total_length, 0), r.chunks, r.length"
                        + " FROM (SELECT count(*) FILTER (WHERE len > 0) AS chunks,"
                        + " coalesce(sum(len), 0) AS length FROM (SELECT kb_bm25_length(lexemes)"
                        + " AS len FROM chunks WHERE tenant = ?) x) r"
                        + " LEFT JOIN bm25_tenants k ON k.tenant = ?",
                tenant,
                rs -> {
                    if (rs.getLong(1) != rs.getLong(3) || rs.getLong(2) != rs.getLong(4)) {
                        out.add(
                                "tenant: kept "
                                        + rs.getLong(1)
                                        + " chunks / length "
                                        + rs.getLong(2)
                                        + ", recounted "
                                        + rs.getLong(3)
                                        + " / "
                                        + rs.getLong(4));
                    }
                });
        query(
                c,
                "SELECT coalesce(k.term, r.term), k.df, r.df FROM"
                        + " (SELECT term, df FROM bm25_terms WHERE tenant = ? AND df <> 0) k"
                        + " FULL JOIN (SELECT l.term, count(*) AS df FROM chunks c,"
                        + " kb_bm25_terms(c.lexemes) l WHERE c.tenant = ? GROUP BY l.term) r"
                        + " ON r.term = k.term WHERE k.df IS DISTINCT FROM r.df",
                tenant,
                rs ->
                        out.add(
                                "df of '"
                                        + rs.getString(1)
                                        + "': kept "
                                        + rs.getObject(2)
                                        + ", recounted "
                                        + rs.getObject(3)));
        query(
                c,
                "SELECT coalesce(k.chunk_id, r.chunk_id), coalesce(k.term, r.term),"
                        + " k.tf || '/' || k.length, r.tf || '/' || r.length FROM"
                        + " (SELECT p.chunk_id, t.term, p.tf, p.length FROM bm25_postings p"
                        + " JOIN bm25_terms t ON t.id = p.term_id WHERE t.tenant = ?) k"
                        + " FULL JOIN (SELECT c.id AS chunk_id, l.term, l.tf,"
                        + " kb_bm25_length(c.lexemes) AS length FROM chunks c,"
                        + " kb_bm25_terms(c.lexemes) l WHERE c.tenant = ?) r"
                        + " ON r.chunk_id = k.chunk_id AND r.term = k.term"
                        + " WHERE (k.tf, k.length) IS DISTINCT FROM (r.tf, r.length) LIMIT 20",
                tenant,
                rs ->
                        out.add(
                                "posting of chunk "
                                        + rs.getLong(1)
                                        + " and '"
                                        + rs.getString(2)
                                        + "' (tf/length): kept "
                                        + rs.getString(3)
                                        + ", recounted "
                                        + rs.getString(4)));
        return out;
    }

    private interface Row {
        void accept(ResultSet rs) throws SQLException;
    }

    private static void query(Connection c, String sql, String tenant, Row row)
            throws SQLException {
        try (PreparedStatement st = c.prepareStatement(sql)) {
            st.setString(1, tenant);
            st.setString(2, tenant);
            try (ResultSet rs = st.executeQuery()) {
                while (rs.next()) {
                    row.accept(rs);
                }
            }
        }
    }
}
