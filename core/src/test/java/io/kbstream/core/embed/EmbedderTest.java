package io.kbstream.core.embed;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.langchain4j.data.segment.TextSegment;
import dev.langchain4j.model.embedding.onnx.allminilml6v2.AllMiniLmL6V2EmbeddingModel;
import io.kbstream.core.config.KbConfig;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.IntStream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Tests for {@link Embedder} as built by {@link Embedders}, against a reference no one here wrote.
 */
class EmbedderTest {

    static final List<String> TEXTS =
            List.of(
                    "A man is eating food.",
                    "A man is eating a piece of bread.",
                    "The new movie is awesome.",
                    "Hello",
                    "",
                    "Ünïcödé, punctuation!? And numbers: 3.14159, 42, 1e-9.",
                    "Streaming knowledge bases index documents in the background and serve"
                            + " searches from sharded vector stores with caches in front.",
                    "Alterations of the architecture of cerebral white matter in the developing"
                            + " human brain can affect cortical development and result in"
                            + " functional disabilities. A line scan diffusion-weighted magnetic"
                            + " resonance imaging (MRI) sequence with diffusion tensor analysis"
                            + " was applied to measure the apparent diffusion coefficient, to"
                            + " calculate relative anisotropy, and to delineate three-dimensional"
                            + " fiber architecture in cerebral white matter in preterm (n = 17)"
                            + " and full-term infants (n = 7). To assess effects of prematurity"
                            + " on cerebral white matter development, early gestation preterm"
                            + " infants (n = 10) were studied a second time at term.",
                    "北京是中国的首都，也是一座历史悠久的城市。");

    static EmbedderSpec spec;
    static Embedder embedder;

    @BeforeAll
    static void load() {
        // pinned: the reference values below (langchain4j's model, 0.7553) are MiniLM's
        spec =
                EmbedderSpec.from(
                        KbConfig.of(java.util.Map.of("kb.embedding.model", "all-minilm-l6-v2")));
        embedder = Embedders.shared(spec);
    }

    @Test
    void agrees_with_langchain4j_reference_model_per_text() {
        AllMiniLmL6V2EmbeddingModel reference = new AllMiniLmL6V2EmbeddingModel();
        List<TextSegment> segments =
                TEXTS.stream().filter(t -> !t.isEmpty()).map(TextSegment::from).toList();
        List<float[]> expected =
                reference.embedAll(segments).content().stream().map(e -> e.vector()).toList();
        float[][] actual = embedder.embed(segments.stream().map(TextSegment::text).toList());

        assertThat(actual).hasNumberOfRows(expected.size());
        for (int i = 0; i < actual.length; i++) {
            assertThat(cosine(actual[i], expected.get(i)))
                    .as("cosine with reference for '%s'", segments.get(i).text())
                    .isGreaterThanOrEqualTo(0.999);
        }
    }

    @Test
    void sentence_pair_scores_the_published_similarity() {
        float[] a = embedder.embed("A man is eating food.");
        float[] b = embedder.embed("A man is eating a piece of bread.");

        assertThat(cosine(a, b)).isCloseTo(0.7553, within(0.001));
    }

    @Test
    void exposes_model_name_dimension_and_weights_digest() {
        ModelInfo info = embedder.modelInfo();

        assertThat(info.name()).isEqualTo("all-minilm-l6-v2");
        assertThat(info.dimension()).isEqualTo(384);
        assertThat(info.engine()).isEqualTo("OnnxRuntime");
        assertThat(info.maxTokens()).isEqualTo(256);
        assertThat(info.version()).matches("all-minilm-l6-v2@sha256:[0-9a-f]{12}");
        assertThat(embedder.embed("x")).hasSize(384);
    }

    @Test
    void vectors_have_unit_length() {
        for (float[] v : embedder.embed(TEXTS)) {
            assertThat(dot(v, v)).isCloseTo(1.0, within(1e-4));
        }
    }

    @Test
    void padded_batch_gives_the_same_vectors_as_one_by_one() {
        // one run holding every text, padded to the longest: what kb.embedding.batch-size > 1 does
        float[][] batch = Embedders.shared(spec.withBatchSize(TEXTS.size())).embed(TEXTS);

        for (int i = 0; i < TEXTS.size(); i++) {
            float[] single = embedder.embed(TEXTS.get(i));
            assertThat(cosine(batch[i], single)).isGreaterThan(0.99999);
            for (int d = 0; d < single.length; d++) {
                assertThat(batch[i][d]).isCloseTo(single[d], within(1e-4f));
            }
        }
    }

    @Test
    void lists_longer_than_the_run_size_are_split_over_workers_and_keep_order() {
        List<String> many = new ArrayList<>();
        for (int i = 0; i < 4 * 2 + 3; i++) {
            many.add(TEXTS.get(i % TEXTS.size()));
        }
        float[][] vectors = Embedders.shared(spec.withBatchSize(4)).embed(many);

        assertThat(vectors).hasNumberOfRows(many.size());
        float[][] reference = embedder.embed(TEXTS);
        for (int i = 0; i < many.size(); i++) {
            assertThat(cosine(vectors[i], reference[i % TEXTS.size()])).isGreaterThan(0.99999);
        }
        assertThat(embedder.embed(List.of())).isEmpty();
    }

    @Test
    void texts_longer_than_the_window_are_truncated_not_rejected() {
        String longText = String.join(" ", Collections.nCopies(3000, "knowledge"));
        String longerText = longText + " but this ending about volcanoes is past the window";

        float[] a = embedder.embed(longText);
        float[] b = embedder.embed(longerText);

        assertThat(a).hasSize(384);
        // both are cut at 256 tokens, so the differing tail cannot matter
        assertThat(cosine(a, b)).isGreaterThan(0.99999);
    }

    @Test
    void concurrent_callers_get_the_same_vectors_as_one_caller() throws Exception {
        float[][] expected = embedder.embed(TEXTS);
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<float[][]>> futures =
                    IntStream.range(0, 8)
                            .mapToObj(i -> pool.submit(() -> embedder.embed(TEXTS)))
                            .toList();
            for (Future<float[][]> f : futures) {
                float[][] got = f.get();
                for (int i = 0; i < expected.length; i++) {
                    assertThat(cosine(got[i], expected[i])).isGreaterThan(0.99999);
                }
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void the_model_is_loaded_once_per_jvm_and_shared_across_batch_sizes() {
        Embedder other = Embedders.shared(spec.withBatchSize(4));

        assertThat(other.modelInfo()).isEqualTo(embedder.modelInfo());
        assertThatThrownBy(
                        () ->
                                Embedders.shared(
                                        new EmbedderSpec(
                                                spec.model(),
                                                spec.cacheDir(),
                                                128,
                                                32,
                                                0,
                                                0,
                                                true)))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("already loaded");
    }

    @Test
    void a_mismatch_with_stored_vectors_is_a_clear_error() {
        ModelInfo stored =
                new ModelInfo(
                        "bge-small-en-v15",
                        384,
                        "bge-small-en-v15@sha256:0123456789ab",
                        "OnnxRuntime",
                        256);

        assertThatThrownBy(() -> embedder.modelInfo().requireCompatibleWith(stored, "shard 0"))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("shard 0")
                .hasMessageContaining("bge-small-en-v15@sha256:0123456789ab")
                .hasMessageContaining(embedder.modelInfo().version());
        embedder.modelInfo().requireCompatibleWith(embedder.modelInfo(), "shard 0");
    }

    @Test
    void quantized_twin_agrees_with_full_precision() {
        Embedder quantized = Embedders.shared(spec.withModel("all-minilm-l6-v2-q"));
        float[][] q = quantized.embed(TEXTS);
        float[][] f = embedder.embed(TEXTS);

        assertThat(quantized.modelInfo().version()).isNotEqualTo(embedder.modelInfo().version());
        for (int i = 0; i < TEXTS.size(); i++) {
            assertThat(cosine(q[i], f[i])).as(TEXTS.get(i)).isGreaterThan(0.9);
        }
    }

    @Test
    void bge_small_ranks_the_paraphrase_above_an_unrelated_sentence() {
        Embedder bge = Embedders.shared(spec.withModel("bge-small-en-v15"));
        float[][] v =
                bge.embed(
                        List.of(
                                "A man is eating food.",
                                "A man is eating a piece of bread.",
                                "The stock market fell sharply on Monday."));

        assertThat(bge.modelInfo().dimension()).isEqualTo(384);
        assertThat(cosine(v[0], v[1])).isGreaterThan(cosine(v[0], v[2]) + 0.1);
    }

    @Test
    void bge_queries_get_the_models_instruction_and_documents_do_not() {
        Embedder bge =
                Embedders.shared(spec.withModel("bge-small-en-v15").withQueryInstruction(true));
        String query = "aspirin lowers the risk of colorectal cancer";

        assertThat(bge.queryText(query))
                .isEqualTo("Represent this sentence for searching relevant passages: " + query);
        float[] asQuery = bge.embedQuery(query);
        assertThat(cosine(asQuery, bge.embed(bge.queryText(query)))).isGreaterThan(0.99999);
        // the instruction moves the vector: it is not a no-op the model ignores
        assertThat(cosine(asQuery, bge.embed(query))).isLessThan(0.99);
    }

    @Test
    void the_query_instruction_is_off_by_default() {
        // off by default: it lowered nDCG@10 on SciFact's claims (benchmark/README.md, "The model")
        Embedder bge = Embedders.shared(spec.withModel("bge-small-en-v15"));
        String query = "aspirin lowers the risk of colorectal cancer";

        assertThat(bge.queryText(query)).isEqualTo(query);
        assertThat(cosine(bge.embedQuery(query), bge.embed(query))).isGreaterThan(0.99999);
    }

    @Test
    void mini_lm_takes_queries_as_they_are() {
        assertThat(embedder.queryText("red apples")).isEqualTo("red apples");
        assertThat(Embedders.shared(spec.withModel("all-minilm-l6-v2-q")).queryText("x"))
                .isEqualTo("x");
    }

    @Test
    void a_missing_torch_script_model_names_the_path(@TempDir Path dir) {
        Path missing = dir.resolve("no-such-model");

        assertThatThrownBy(() -> Embedders.shared(spec.withModel(missing.toString())))
                .isInstanceOf(EmbeddingException.class)
                .hasMessageContaining(missing.toString())
                .hasMessageContaining("all-minilm-l6-v2");
    }

    @Test
    void a_torch_script_folder_without_tokenizer_is_a_clear_error(@TempDir Path dir)
            throws Exception {
        java.nio.file.Files.writeString(dir.resolve("model.pt"), "not a real model");

        assertThatThrownBy(() -> Embedders.shared(spec.withModel(dir.toString())))
                .isInstanceOf(EmbeddingException.class)
                .hasMessageContaining("tokenizer");
    }

    @Test
    void a_zoo_url_not_in_the_local_cache_fails_without_downloading() {
        assertThatThrownBy(
                        () ->
                                Embedders.shared(
                                        spec.withModel(
                                                "djl://ai.djl.huggingface.pytorch/sentence-transformers/no-such-model")))
                .isInstanceOf(EmbeddingException.class)
                .hasMessageContaining("ai.djl.offline=true");
    }

    static double cosine(float[] a, float[] b) {
        return dot(a, b) / Math.sqrt(dot(a, a) * dot(b, b));
    }

    static double dot(float[] a, float[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) {
            s += (double) a[i] * b[i];
        }
        return s;
    }
}
