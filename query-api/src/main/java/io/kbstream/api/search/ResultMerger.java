package io.kbstream.api.search;

import io.kbstream.core.store.ChunkHit;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * Turns per-shard chunk hits into a ranked list of documents. Each list (vector or keyword) keeps
 * the best chunk per document, best first; hybrid fuses the two document rankings with the
 * configured {@link Fusion} and shows the chunk from the list where the document ranked higher.
 */
public final class ResultMerger {

    static final int SNIPPET_CHARS = 240;

    private final Fusion fusion;

    public ResultMerger(Fusion fusion) {
        this.fusion = Objects.requireNonNull(fusion, "fusion");
    }

    /** How hybrid answers are fused. */
    public Fusion fusion() {
        return fusion;
    }

    /** Best chunk per document over all shards' hits, best first; ties by id for stability. */
    public static List<ChunkHit> bestChunkPerDocument(Collection<List<ChunkHit>> perShard) {
        Map<String, ChunkHit> best = new HashMap<>();
        for (List<ChunkHit> hits : perShard) {
            for (ChunkHit hit : hits) {
                best.merge(hit.docId(), hit, (a, b) -> better(b, a) ? b : a);
            }
        }
        List<ChunkHit> ranked = new ArrayList<>(best.values());
        ranked.sort(ORDER);
        return ranked;
    }

    private static final Comparator<ChunkHit> ORDER =
            Comparator.comparingDouble(ChunkHit::score)
                    .reversed()
                    .thenComparing(ChunkHit::docId)
                    .thenComparingInt(ChunkHit::chunkNo);

    private static boolean better(ChunkHit a, ChunkHit b) {
        return ORDER.compare(a, b) < 0;
    }

    /** The top {@code k} of one ranked document list, as results. */
    public List<SearchHit> single(List<ChunkHit> ranked, int k, String query) {
        return ranked.stream().limit(k).map(h -> hit(h, h.score(), query)).toList();
    }

    /** The fusion of two ranked document lists (each best chunk per document), top {@code k}. */
    public List<SearchHit> fuse(
            List<ChunkHit> vector, List<ChunkHit> keyword, int k, String query) {
        return fusion.fuse(vector, keyword, ChunkHit::docId, ChunkHit::score, k).stream()
                .map(f -> hit(f.shown(), f.score(), query))
                .toList();
    }

    private static SearchHit hit(ChunkHit h, double score, String query) {
        return new SearchHit(h.docId(), h.title(), snippet(h.text(), query), score, h.chunkNo());
    }

    /** About {@value #SNIPPET_CHARS} characters of the chunk, around the first query word found. */
    static String snippet(String text, String query) {
        if (text == null) {
            return "";
        }
        String flat = collapseWhitespace(text);
        if (flat.length() <= SNIPPET_CHARS) {
            return flat;
        }
        String lower = flat.toLowerCase(Locale.ROOT);
        int at = -1;
        for (String word : query.toLowerCase(Locale.ROOT).split("[^\\p{L}\\p{N}]+")) {
            if (word.length() >= 3) {
                at = lower.indexOf(word);
                if (at >= 0) {
                    break;
                }
            }
        }
        int start = at < 0 ? 0 : Math.max(0, at - SNIPPET_CHARS / 3);
        int space0 = flat.indexOf(' ', start);
        if (start > 0 && space0 >= 0 && (at < 0 || space0 < at)) {
            start = space0 + 1; // begin at a word
        }
        int end = Math.min(flat.length(), start + SNIPPET_CHARS);
        int space = flat.lastIndexOf(' ', end);
        if (end < flat.length() && space > start + SNIPPET_CHARS / 2) {
            end = space;
        }
        return (start > 0 ? "…" : "")
                + flat.substring(start, end)
                + (end < flat.length() ? "…" : "");
    }

    /**
     * The text with each run of whitespace ({@code \\s}: space, tab, line breaks, form feed) as one
     * space, stripped: what {@code replaceAll("\\s+", " ").strip()} gives, in one pass (the regex
     * was a third of the API's own CPU in a search, as it runs over every shown chunk's text).
     */
    static String collapseWhitespace(String text) {
        StringBuilder out = new StringBuilder(text.length());
        boolean space = false;
        for (int i = 0; i < text.length(); i++) {
            char ch = text.charAt(i);
            if (ch == ' ' || ch == '\t' || ch == '\n' || ch == 0x0B || ch == '\f' || ch == '\r') {
                if (!space) {
                    out.append(' ');
                    space = true;
                }
            } else {
                out.append(ch);
                space = false;
            }
        }
        return out.toString().strip();
    }
}
