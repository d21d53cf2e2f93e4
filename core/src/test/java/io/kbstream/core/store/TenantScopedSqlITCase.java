package io.kbstream.core.store;

import static org.assertj.core.api.Assertions.assertThat;

import io.kbstream.core.config.KbConfig;
import io.kbstream.core.config.PostgresOptions;
import io.kbstream.core.store.internal.SearchSql;
import io.kbstream.core.testing.LocalStackConfig;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * Tenant isolation in SQL, read from the real shards' catalogs and from the store's statements:
 * every index of tenant data leads with the tenant, except the content indexes whose access method
 * cannot take a second column (then every query using them filters on the tenant); every statement
 * reading or deleting tenant data has {@code tenant = ?}; no statement embeds a value.
 */
class TenantScopedSqlITCase {

    /**
     * Indexes over content alone, and why: pgvector's HNSW indexes exactly one vector column; the
     * GIN index serves {@code @>} and is combined with the tenant btree by the planner. The queries
     * using them all filter {@code tenant = ?} (checked below). The BM25 postings have no tenant
     * column at all: they are reached only through a tenant's own term ids (from {@code
     * bm25_terms}, whose index leads with the tenant) or its chunks' ids.
     */
    private static final Map<String, String> CONTENT_INDEXES =
            Map.of("documents_metadata_gin", "gin");

    /**
     * Quoted text the statements may contain: settings, a status, a text search configuration, and
     * the quoting of lexemes for tsquery input (longest first).
     */
    private static final List<String> FIXED_LITERALS =
            List.of(
                    "''''''",
                    "''''",
                    "'\\\\'",
                    "'\\'",
                    "' | '",
                    "'english'",
                    "'INDEXED'",
                    "'statement_timeout'",
                    "'hnsw.ef_search'",
                    "'hnsw.iterative_scan'",
                    "'relaxed_order'",
                    "'jit'",
                    "'off'",
                    "'enable_indexscan'",
                    "''::bytea"); // the empty delimiter of packed postings

    @Test
    void every_index_of_documents_chunks_and_bm25_statistics_leads_with_the_tenant_on_every_shard()
            throws Exception {
        KbConfig config = LocalStackConfig.load();
        for (String url : config.get(PostgresOptions.SHARDS)) {
            Map<String, String> indexes = new TreeMap<>();
            try (Connection c =
                            DriverManager.getConnection(
                                    url,
                                    config.get(PostgresOptions.USER),
                                    config.get(PostgresOptions.PASSWORD));
                    Statement st = c.createStatement();
                    ResultSet rs =
                            st.executeQuery(
                                    "SELECT indexname, indexdef FROM pg_indexes"
                                            + " WHERE schemaname = 'public'"
                                            + " AND (tablename IN ('documents', 'chunks',"
                                            + " 'bm25_tenants', 'bm25_terms', 'tenant_models')"
                                            + " OR tablename IN (SELECT vectors FROM"
                                            + " embedding_models))")) {
                while (rs.next()) {
                    indexes.put(rs.getString(1), rs.getString(2));
                }
            }
            assertThat(indexes).as(url).isNotEmpty();
            indexes.forEach(
                    (name, def) -> {
                        String columns = def.substring(def.indexOf('(') + 1);
                        if (name.startsWith("vectors_") && name.endsWith("_hnsw")) {
                            // each model's own HNSW index (migration 011), over content alone
                            assertThat(def).as(url + " " + name).contains("USING hnsw");
                        } else if (CONTENT_INDEXES.containsKey(name)) {
                            assertThat(def)
                                    .as(url + " " + name)
                                    .contains("USING " + CONTENT_INDEXES.get(name));
                        } else {
                            assertThat(columns).as(url + " " + def).startsWith("tenant");
                        }
                    });
        }
    }

    @Test
    void every_statement_on_tenant_data_is_parameterised_and_filters_on_the_tenant()
            throws Exception {
        List<String> statements = new ArrayList<>();
        for (Field f : SearchSql.class.getDeclaredFields()) {
            if (Modifier.isStatic(f.getModifiers()) && f.getType() == String.class) {
                f.setAccessible(true);
                statements.add((String) f.get(null));
            }
        }
        for (boolean filtered : new boolean[] {false, true}) {
            for (boolean exact : new boolean[] {false, true}) {
                statements.add(SearchSql.vector("vectors_some_model", filtered, exact));
            }
        }
        statements.add(SearchSql.insertVector("vectors_some_model"));
        statements.add(SearchSql.upsertVector("vectors_some_model"));
        statements.add(SearchSql.chunksWithoutVector("vectors_some_model"));
        statements.add(SearchSql.countVectors("vectors_some_model"));
        statements.add(SearchSql.deleteVectors("vectors_some_model"));
        statements.addAll(SearchSql.DELETE_TENANT);
        assertThat(statements).hasSizeGreaterThan(10);
        for (String sql : statements) {
            String upper = sql.toUpperCase();
            boolean tenantData = upper.contains("DOCUMENTS") || upper.contains("CHUNKS");
            if (tenantData && !upper.startsWith("INSERT")) {
                assertThat(sql).as(sql).containsPattern("tenant = \\?");
            }
            if (upper.startsWith("INSERT")) {
                // a row's values are parameters, or copied from the tenant's own chunk
                assertThat(sql)
                        .as(sql)
                        .contains("(tenant,")
                        .containsPattern(
                                "VALUES \\(\\?|SELECT tenant, id, \\? FROM chunks WHERE tenant = \\?");
            }
            // values are bind parameters: the only quoted literals are fixed names and syntax
            String rest = sql;
            for (String literal : FIXED_LITERALS) {
                rest = rest.replace(literal, "");
            }
            assertThat(rest).as(sql).doesNotContain("'");
        }
    }
}
