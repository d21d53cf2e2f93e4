package io.kbstream.core.chunk;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import io.kbstream.core.config.KbConfig;
import io.kbstream.core.embed.EmbedderSpec;
import io.kbstream.core.embed.Embedders;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Tests for {@link Chunker}. */
class ChunkerTest {

    static Path tokenizerFile;
    static HuggingFaceTokenizer counter;
    static Chunker chunker;

    @BeforeAll
    static void setUp() throws Exception {
        tokenizerFile = Embedders.tokenizerFile(EmbedderSpec.from(KbConfig.of(Map.of())));
        chunker = Chunker.forConfig(KbConfig.of(Map.of()));
        counter =
                HuggingFaceTokenizer.newInstance(
                        tokenizerFile,
                        Map.of(
                                "addSpecialTokens",
                                "false",
                                "truncation",
                                "false",
                                "padding",
                                "false"));
    }

    @AfterAll
    static void tearDown() {
        counter.close();
    }

    @Test
    void defaults_suit_a256_token_window() {
        assertThat(chunker.targetTokens()).isEqualTo(200);
        assertThat(chunker.overlapTokens()).isEqualTo(40);
    }

    @Test
    void empty_or_blank_text_gives_no_chunks() {
        assertThat(chunker.chunk("")).isEmpty();
        assertThat(chunker.chunk("   \n\t  ")).isEmpty();
    }

    @Test
    void text_shorter_than_a_chunk_is_one_chunk_with_its_offsets() {
        String text = "  Hello, world. Streaming knowledge!\n";

        List<Chunk> chunks = chunker.chunk(text);

        assertThat(chunks).hasSize(1);
        Chunk only = chunks.get(0);
        assertThat(only.index()).isZero();
        assertThat(only.startChar()).isEqualTo(2);
        assertThat(only.text()).isEqualTo("Hello, world. Streaming knowledge!");
        assertThat(only.endChar()).isEqualTo(text.length() - 1);
        assertThat(only.tokenCount()).isEqualTo(tokens(only.text()));
    }

    @Test
    void long_text_chunks_stay_within_target_overlap_and_word_boundaries() {
        String text = englishText(4000, 1);

        List<Chunk> chunks = chunker.chunk(text);

        assertThat(chunks.size()).isGreaterThan(20);
        checkChunks(text, chunks, true);
        for (int i = 1; i < chunks.size(); i++) {
            Chunk prev = chunks.get(i - 1);
            Chunk cur = chunks.get(i);
            int repeated = tokens(text.substring(cur.startChar(), prev.endChar()));
            assertThat(repeated).as("overlap of chunk %d", i).isBetween(1, 40);
        }
    }

    @Test
    void windowed_tokenisation_gives_the_same_chunks_as_one_window() {
        String text = englishText(6000, 2);
        Chunker smallWindows = Chunker.builder().tokenizer(tokenizerFile).windowChars(1600).build();
        Chunker oneWindow =
                Chunker.builder().tokenizer(tokenizerFile).windowChars(10_000_000).build();

        assertThat(smallWindows.chunk(text)).isEqualTo(oneWindow.chunk(text));
    }

    @Test
    void chinese_without_spaces_is_chunked_at_character_boundaries() {
        String passage =
                "北京是中华人民共和国的首都，也是全国的政治中心、文化中心和国际交往中心。" + "这座城市有三千多年的建城史，留下了故宫、长城和天坛等众多名胜古迹。";
        String text = passage.repeat(40);

        List<Chunk> chunks = chunker.chunk(text);

        assertThat(chunks.size()).isGreaterThan(5);
        checkChunks(text, chunks, false);
        assertThat(chunks.get(0).tokenCount()).isGreaterThan(150);
        assertThat(chunks.get(chunks.size() - 1).endChar()).isEqualTo(text.length());
    }

    @Test
    void offsets_count_java_chars_around_emoji() {
        String text = ("Rocket 🚀 launch 😀 today. " + englishText(400, 3) + " ").repeat(3);

        List<Chunk> chunks = chunker.chunk(text);

        checkChunks(text, chunks, true);
        assertThat(chunks.get(0).text()).startsWith("Rocket 🚀 launch 😀 today.");
    }

    @Test
    void a_word_longer_than_a_chunk_is_cut_at_token_boundaries() {
        String text = "start " + "ab/cd-".repeat(600) + " end";

        List<Chunk> chunks = chunker.chunk(text);

        assertThat(chunks.size()).isGreaterThan(3);
        checkChunks(text, chunks, false);
        assertThat(chunks.get(chunks.size() - 1).text()).endsWith("end");
    }

    @Test
    void ten_megabytes_are_chunked_window_by_window() {
        StringBuilder sb = new StringBuilder(10_000_100);
        String page = englishText(3000, 4) + "\n\n";
        while (sb.length() < 10_000_000) {
            sb.append(page);
        }
        String text = sb.toString();

        Iterator<Chunk> it = chunker.iterate(text);
        int count = 0;
        int maxTokens = 0;
        Chunk last = null;
        while (it.hasNext()) {
            Chunk c = it.next();
            assertThat(c.index()).isEqualTo(count);
            if (last != null) {
                assertThat(c.startChar())
                        .isGreaterThan(last.startChar())
                        .isLessThanOrEqualTo(last.endChar());
            }
            maxTokens = Math.max(maxTokens, c.tokenCount());
            last = c;
            count++;
        }

        assertThat(maxTokens).isLessThanOrEqualTo(200);
        assertThat(last.endChar()).isEqualTo(text.stripTrailing().length());
        // this vocabulary averages ~3.4 chars per token; 160 new tokens per chunk
        assertThat(count).isBetween(12_000, 25_000);
    }

    @Test
    void builder_rejects_an_overlap_as_large_as_the_target() {
        assertThatThrownBy(
                        () ->
                                Chunker.builder()
                                        .tokenizer(tokenizerFile)
                                        .targetTokens(50)
                                        .overlapTokens(50)
                                        .build())
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("overlapTokens");
        assertThatThrownBy(() -> Chunker.builder().build())
                .isInstanceOf(IllegalStateException.class);
    }

    /** Offsets, token counts and coverage; word boundaries where the script has spaces. */
    private void checkChunks(String text, List<Chunk> chunks, boolean spaced) {
        int covered = 0;
        for (int i = 0; i < chunks.size(); i++) {
            Chunk c = chunks.get(i);
            assertThat(c.index()).isEqualTo(i);
            assertThat(c.text()).isEqualTo(text.substring(c.startChar(), c.endChar()));
            assertThat(c.tokenCount()).isBetween(1, 200).isEqualTo(tokens(c.text()));
            if (c.startChar() > covered) {
                assertThat(text.substring(covered, c.startChar()))
                        .as("gap before chunk %d", i)
                        .isBlank();
            }
            covered = Math.max(covered, c.endChar());
            if (spaced) {
                assertThat(
                                c.startChar() == 0
                                        || Character.isWhitespace(text.charAt(c.startChar() - 1)))
                        .as("chunk %d starts a word: %s", i, c.text())
                        .isTrue();
                assertThat(
                                c.endChar() == text.length()
                                        || Character.isWhitespace(text.charAt(c.endChar())))
                        .as("chunk %d ends a word", i)
                        .isTrue();
            }
        }
        assertThat(text.substring(covered)).isBlank();
    }

    private int tokens(String s) {
        return counter.encode(s, false, false).getIds().length;
    }

    /** Deterministic prose-like text with punctuation, numbers and long words. */
    static String englishText(int words, long seed) {
        String[] vocab = {
            "the",
            "knowledge",
            "base",
            "streams",
            "documents",
            "into",
            "vectors",
            "while",
            "searches",
            "read",
            "shards",
            "in",
            "parallel",
            "unbelievably",
            "antidisestablishment",
            "don't",
            "it's",
            "3.14",
            "2026-11-25",
            "e-mail",
            "state-of-the-art",
            "pgvector",
            "Flink's",
            "(checkpoint)",
            "user@example.com",
            "naïve",
            "café",
            "mRNA",
            "IL-6",
        };
        Random random = new Random(seed);
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < words; i++) {
            if (i > 0) {
                sb.append(random.nextInt(40) == 0 ? "\n\n" : " ");
            }
            sb.append(vocab[random.nextInt(vocab.length)]);
            if (random.nextInt(12) == 0) {
                sb.append(random.nextBoolean() ? "." : ",");
            }
        }
        return sb.toString();
    }
}
