package io.kbstream.api.search;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.kbstream.core.config.ApiOptions.FusionMethod;
import io.kbstream.core.store.ChunkHit;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Tests for {@link ResultMerger}: best chunk per document, fused lists and snippets. */
class ResultMergerTest {

    private static ResultMerger rrf(double keywordWeight, int rrfK) {
        return new ResultMerger(new Fusion(FusionMethod.RRF, keywordWeight, rrfK));
    }

    private static ChunkHit hit(String doc, int chunk, double score) {
        return new ChunkHit(doc, chunk, "T " + doc, "text of " + doc + " " + chunk, 0, 10, score);
    }

    @Test
    void best_chunk_per_document_across_shards_best_first() {
        List<ChunkHit> ranked =
                ResultMerger.bestChunkPerDocument(
                        List.of(
                                List.of(hit("a", 0, 0.5), hit("a", 3, 0.9), hit("b", 1, 0.7)),
                                List.of(hit("c", 0, 0.8), hit("b", 2, 0.6))));

        assertThat(ranked).extracting(ChunkHit::docId).containsExactly("a", "c", "b");
        assertThat(ranked).extracting(ChunkHit::chunkNo).containsExactly(3, 0, 1);
    }

    @Test
    void single_list_keeps_the_top_k_with_their_scores() {
        List<SearchHit> hits =
                rrf(0.5, 60)
                        .single(
                                List.of(hit("a", 0, 0.9), hit("b", 1, 0.5), hit("c", 0, 0.1)),
                                2,
                                "q");
        assertThat(hits).extracting(SearchHit::id).containsExactly("a", "b");
        assertThat(hits.get(1).score()).isEqualTo(0.5);
        assertThat(hits.get(1).chunk()).isEqualTo(1);
    }

    @Test
    void rrf_adds_the_weighted_one_over_k_plus_rank_of_each_list() {
        List<ChunkHit> vector = List.of(hit("a", 0, 0.9), hit("b", 0, 0.8), hit("c", 0, 0.7));
        List<ChunkHit> keyword = List.of(hit("c", 2, 3.0), hit("b", 5, 2.0));

        List<SearchHit> fused = rrf(0.5, 60).fuse(vector, keyword, 10, "q");

        // c: (1/63 + 1/61)/2 = 0.016133 beats b: (1/62 + 1/62)/2 = 0.016129; a: 1/61/2
        assertThat(fused).extracting(SearchHit::id).containsExactly("c", "b", "a");
        assertThat(fused.get(0).score()).isCloseTo(0.5 / 63 + 0.5 / 61, within(1e-12));
        assertThat(fused.get(1).score()).isCloseTo(1.0 / 62, within(1e-12));
        assertThat(fused.get(2).score()).isCloseTo(0.5 / 61, within(1e-12));
        // c ranked higher by keyword (1) than by vector (3): its keyword chunk is shown
        assertThat(fused.get(0).chunk()).isEqualTo(2);
    }

    @Test
    void rrf_constant_changes_the_fusion() {
        List<ChunkHit> vector = List.of(hit("x", 0, 0.9), hit("y", 0, 0.8));
        List<ChunkHit> keyword = List.of(hit("z", 0, 3.0), hit("w", 0, 2.0), hit("y", 0, 1.0));
        // k=0: first in one list (1) beats 2nd and 3rd (1/2 + 1/3); k=60 rewards agreement
        // (k = 3 results: y is third in the keyword list, and only the top k of a list count)
        assertThat(rrf(0.5, 0).fuse(vector, keyword, 3, "q").get(0).id()).isEqualTo("x");
        assertThat(rrf(0.5, 60).fuse(vector, keyword, 3, "q").get(0).id()).isEqualTo("y");
        List<ChunkHit> abc = List.of(hit("a", 0, 0.9), hit("b", 0, 0.8), hit("c", 0, 0.7));
        assertThat(rrf(0.5, 60).fuse(abc, List.of(), 3, "q"))
                .extracting(SearchHit::id)
                .containsExactly("a", "b", "c");
    }

    @Test
    void snippet_is_bounded_and_centred_on_a_query_word() {
        String text = "lorem ipsum ".repeat(50) + "the zebra runs " + "dolor sit ".repeat(50);
        String s = ResultMerger.snippet(text, "zebra");
        assertThat(s).contains("zebra").startsWith("…").endsWith("…");
        assertThat(s.length()).isLessThanOrEqualTo(ResultMerger.SNIPPET_CHARS + 2);
        assertThat(ResultMerger.snippet("short\n text", "x")).isEqualTo("short text");
    }

    @Test
    void whitespace_is_collapsed_exactly_as_the_regex_would() {
        String[] texts = {
            "",
            " ",
            "a",
            "  lead and trail \t",
            "one\r\ntwo\n\nthree\u000Bfour\ffive",
            "\u00A0non-breaking\u00A0spaces stay\u2003inside\u00A0",
            "tab\t\t\tand  double  spaces",
            "Résumé — naïve\n café"
        };
        for (String text : texts) {
            assertThat(ResultMerger.collapseWhitespace(text))
                    .as("%s", text)
                    .isEqualTo(text.replaceAll("\\s+", " ").strip());
        }
    }

    @Test
    void keyword_weight_decides_between_a_keyword_only_top_hit_and_a_vector_only_runner_up() {
        List<ChunkHit> vector = List.of(hit("v1", 0, 0.9), hit("v2", 0, 0.8));
        List<ChunkHit> keyword = List.of(hit("k1", 0, 5.0));
        // equal weights: k1 ties v1 at 0.5/(60+1) (ties go by id) and beats v2's 0.5/(60+2)
        assertThat(rrf(0.5, 60).fuse(vector, keyword, 3, "q"))
                .extracting(SearchHit::id)
                .containsExactly("k1", "v1", "v2");
        // keyword share 0.2: k1 scores 0.2/61 < v2's 0.8/62
        assertThat(rrf(0.2, 60).fuse(vector, keyword, 3, "q"))
                .extracting(SearchHit::id)
                .containsExactly("v1", "v2", "k1");
    }
}
