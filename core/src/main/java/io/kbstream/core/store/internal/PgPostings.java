package io.kbstream.core.store.internal;

import io.kbstream.core.store.Bm25Query;
import java.nio.ByteBuffer;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** {@link ImpactSearch.Postings} of one tenant on one shard, inside the search's transaction. */
final class PgPostings implements ImpactSearch.Postings {

    private final Connection c;
    private final String tenant;
    private final String[] lexemes;
    private final Map<String, String> filter;

    /** Term ids by term index, learnt from the first postings (0: the shard has no such term). */
    private final int[] termIds;

    PgPostings(Connection c, String tenant, Bm25Query query, Map<String, String> filter) {
        this.c = c;
        this.tenant = tenant;
        this.lexemes =
                query.terms().stream().map(Bm25Query.WeightedTerm::lexeme).toArray(String[]::new);
        this.filter = filter;
        this.termIds = new int[lexemes.length];
    }

    @Override
    public List<ImpactSearch.Posting> first(int[] depths) throws SQLException {
        List<ImpactSearch.Posting> out = new ArrayList<>();
        Integer[] limits = new Integer[depths.length];
        for (int t = 0; t < depths.length; t++) {
            limits[t] = depths[t] == Integer.MAX_VALUE ? null : depths[t]; // NULL: every posting
        }
        try (PreparedStatement st = c.prepareStatement(SearchSql.BM25_FIRST_POSTINGS)) {
            st.setArray(1, c.createArrayOf("text", lexemes));
            st.setArray(2, c.createArrayOf("int4", limits));
            st.setString(3, tenant);
            try (ResultSet rs = st.executeQuery()) {
                while (rs.next()) {
                    int term = rs.getInt(1) - 1;
                    termIds[term] = rs.getInt(2);
                    byte[] packed = rs.getBytes(3);
                    if (packed == null) {
                        continue; // the term has no postings left (its chunks were deleted)
                    }
                    ByteBuffer postings = ByteBuffer.wrap(packed); // big-endian, as sent
                    while (postings.remaining() >= SearchSql.PACKED_POSTING_BYTES) {
                        long chunk = postings.getLong();
                        int length = postings.getInt();
                        int tf = postings.getShort();
                        float impact = postings.getFloat();
                        out.add(new ImpactSearch.Posting(term, chunk, tf, length, impact));
                    }
                }
            }
        }
        return out;
    }

    @Override
    public List<ImpactSearch.Posting> lookup(long[] chunkIds, int[] terms) throws SQLException {
        Long[] chunks = new Long[chunkIds.length];
        for (int i = 0; i < chunkIds.length; i++) {
            chunks[i] = chunkIds[i];
        }
        Map<Integer, Integer> termById = new HashMap<>();
        for (int t : terms) {
            if (termIds[t] != 0) { // 0: no such term here, so no chunk holds it
                termById.put(termIds[t], t);
            }
        }
        List<ImpactSearch.Posting> out = new ArrayList<>();
        if (termById.isEmpty()) {
            return out;
        }
        try (PreparedStatement st = c.prepareStatement(SearchSql.BM25_POSTINGS_BY_KEY)) {
            st.setArray(1, c.createArrayOf("bigint", chunks));
            st.setArray(2, c.createArrayOf("int4", termById.keySet().toArray()));
            try (ResultSet rs = st.executeQuery()) {
                while (rs.next()) {
                    out.add(
                            new ImpactSearch.Posting(
                                    termById.get(rs.getInt(2)),
                                    rs.getLong(1),
                                    rs.getInt(3),
                                    rs.getInt(4),
                                    0));
                }
            }
        }
        return out;
    }

    @Override
    public Set<Long> passing(Collection<Long> chunkIds) throws SQLException {
        Set<Long> out = new HashSet<>();
        try (PreparedStatement st = c.prepareStatement(SearchSql.CHUNKS_PASSING_FILTER)) {
            st.setString(1, tenant);
            st.setArray(2, c.createArrayOf("bigint", chunkIds.toArray()));
            st.setString(3, SearchSql.json(filter));
            try (ResultSet rs = st.executeQuery()) {
                while (rs.next()) {
                    out.add(rs.getLong(1));
                }
            }
        }
        return out;
    }
}
