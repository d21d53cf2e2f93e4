package io.kbstream.core.store.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** Tests for {@link SearchSql}. */
class SearchSqlTest {

    @Test
    void every_statement_is_scoped_by_tenant() {
        for (String sql :
                new String[] {
                    SearchSql.vector("vectors_m", false, false),
                    SearchSql.vector("vectors_m", true, false),
                    SearchSql.vector("vectors_m", false, true),
                    SearchSql.vector("vectors_m", true, true),
                    SearchSql.DELETE_CHUNKS_OF_DOCUMENTS,
                    SearchSql.CHUNKS_BY_ID,
                    SearchSql.CHUNKS_PASSING_FILTER,
                    SearchSql.TENANT_VECTOR_SHARE,
                    SearchSql.DELETE_DOCUMENT,
                    SearchSql.FIND_DOCUMENT,
                    SearchSql.COUNT_CHUNKS,
                    SearchSql.COUNT_DOCUMENTS,
                    SearchSql.DELETE_TENANT.get(0),
                    SearchSql.DELETE_TENANT.get(1)
                }) {
            assertThat(sql)
                    .as(sql)
                    .containsPattern("WHERE [a-z]\\.?tenant = \\?|WHERE tenant = \\?");
        }
    }

    @Test
    void vector_search_filters_tenant_inside_the_index_scan_and_again_on_the_join() {
        String sql = SearchSql.vector("vectors_m", false, false);
        assertThat(sql)
                .contains("FROM vectors_m v WHERE v.tenant = ?")
                .contains("c.tenant = ? AND c.id = h.chunk_id")
                .contains("c.title");
        assertThat(sql).contains("ORDER BY distance LIMIT ?");
        assertThat(sql).contains("<=> ?").contains("1 - h.distance");
        // the unfiltered form reads titles from the chunks: no join with documents to plan
        assertThat(sql).doesNotContain("@>").doesNotContain("documents");
        assertThat(placeholders(sql)).isEqualTo(4);
    }

    @Test
    void the_exact_vector_search_fences_the_tenants_rows_from_the_index_with_the_same_parameters() {
        for (boolean filtered : new boolean[] {false, true}) {
            String approximate = SearchSql.vector("vectors_m", filtered, false);
            String exact = SearchSql.vector("vectors_m", filtered, true);
            assertThat(exact)
                    .contains("FROM (SELECT v.chunk_id, v.embedding FROM vectors_m v")
                    .contains(" OFFSET 0) r ORDER BY distance LIMIT ?");
            // same parameters in the same order: the caller binds both forms alike
            assertThat(parameterOrder(exact)).isEqualTo(parameterOrder(approximate));
        }
    }

    /** The clauses that hold each placeholder, in order, with the text around them removed. */
    private static String parameterOrder(String sql) {
        StringBuilder order = new StringBuilder();
        Matcher m = Pattern.compile("(<=> \\?|tenant = \\?|@> \\?|LIMIT \\?)").matcher(sql);
        while (m.find()) {
            order.append(m.group(1)).append(';');
        }
        return order.toString();
    }

    @Test
    void a_vector_table_name_not_made_by_the_migration_is_refused() {
        assertThatThrownBy(() -> SearchSql.vector("chunks; DROP TABLE x", false, false))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("not a vector table name");
        assertThatThrownBy(() -> SearchSql.upsertVector("documents"))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void metadata_filter_adds_one_jsonb_parameter() {
        for (boolean exact : new boolean[] {false, true}) {
            assertThat(SearchSql.vector("vectors_m", true, exact))
                    .contains("m.metadata @> ?::jsonb");
            assertThat(placeholders(SearchSql.vector("vectors_m", true, exact))).isEqualTo(5);
        }
        assertThat(SearchSql.CHUNKS_PASSING_FILTER).contains("d.metadata @> ?::jsonb");
    }

    @Test
    void keyword_statistics_analyse_the_query_like_the_chunks_and_scope_terms_by_tenant() {
        assertThat(SearchSql.BM25_STATISTICS)
                .contains("unnest(to_tsvector('english', ?))")
                .contains("t.tenant = ?")
                .contains("s.tenant = ?")
                .doesNotContain("tsquery");
        assertThat(SearchSql.BM25_FIRST_POSTINGS)
                .contains("t.tenant = ?")
                .contains("ORDER BY impact DESC LIMIT q.depth");
    }

    @Test
    void metadata_json_escapes_hostile_values_and_sorts_keys() {
        Map<String, String> filter = new LinkedHashMap<>();
        filter.put("z", "x' OR 1=1; --");
        filter.put("a", "quote\" and \\ backslash");
        String json = SearchSql.json(filter);

        assertThat(json)
                .isEqualTo("{\"a\":\"quote\\\" and \\\\ backslash\",\"z\":\"x' OR 1=1; --\"}");
        assertThat(SearchSql.parseJson(json)).isEqualTo(filter);
        assertThat(SearchSql.json(Map.of())).isEqualTo("{}");
    }

    @Test
    void nul_characters_are_removed_before_they_reach_postgres() {
        assertThat(SearchSql.clean("a\u0000b")).isEqualTo("ab");
        assertThat(SearchSql.clean(null)).isNull();
    }

    private static int placeholders(String sql) {
        return (int) sql.chars().filter(ch -> ch == '?').count();
    }
}
