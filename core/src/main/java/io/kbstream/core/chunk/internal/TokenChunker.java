package io.kbstream.core.chunk.internal;

import ai.djl.huggingface.tokenizers.Encoding;
import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import ai.djl.huggingface.tokenizers.jni.CharSpan;
import io.kbstream.core.chunk.Chunk;
import io.kbstream.core.chunk.Chunker;
import io.kbstream.core.embed.internal.DjlSetup;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Iterator;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Chunks with a HuggingFace tokenizer, one window of characters at a time.
 *
 * <p>A chunk may end before token {@code i} only at a word boundary: whitespace between tokens
 * {@code i-1} and {@code i}, or a CJK character on either side (BERT tokenises each ideograph
 * alone, and Chinese has no spaces). A "word" longer than a whole chunk (a URL, a base64 blob) is
 * the one case cut inside, at a token boundary, since it cannot fit anywhere else.
 *
 * <p>Windows end at whitespace (or a CJK character), and the next window starts at the next chunk's
 * first token, which is at a word boundary; BERT's pre-tokeniser splits at exactly those places, so
 * windowed tokens equal the tokens of the whole text.
 */
public final class TokenChunker implements Chunker {

    static {
        DjlSetup.offline();
    }

    // One native tokenizer per file for the JVM's life: they are thread-safe and small.
    private static final Map<Path, HuggingFaceTokenizer> TOKENIZERS = new ConcurrentHashMap<>();

    private final HuggingFaceTokenizer tokenizer;
    private final int target;
    private final int overlap;
    private final int windowChars;

    public TokenChunker(Path tokenizerJson, int target, int overlap, int windowChars) {
        this.tokenizer =
                TOKENIZERS.computeIfAbsent(tokenizerJson.toAbsolutePath(), TokenChunker::load);
        this.target = target;
        this.overlap = overlap;
        this.windowChars = windowChars;
    }

    private static HuggingFaceTokenizer load(Path file) {
        try {
            // no [CLS]/[SEP], and none of tokenizer.json's own truncation or padding
            return HuggingFaceTokenizer.newInstance(
                    file,
                    Map.of("addSpecialTokens", "false", "truncation", "false", "padding", "false"));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot load tokenizer " + file, e);
        }
    }

    @Override
    public int targetTokens() {
        return target;
    }

    @Override
    public int overlapTokens() {
        return overlap;
    }

    @Override
    public Iterator<Chunk> iterate(String text) {
        return new ChunkIterator(text);
    }

    private final class ChunkIterator implements Iterator<Chunk> {
        private final String text;
        private final ArrayDeque<Chunk> ready = new ArrayDeque<>();
        private int pos; // where the next window starts: the next chunk's first character
        private int index;
        private boolean done;

        ChunkIterator(String text) {
            this.text = text;
        }

        @Override
        public boolean hasNext() {
            while (ready.isEmpty() && !done) {
                nextWindow();
            }
            return !ready.isEmpty();
        }

        @Override
        public Chunk next() {
            if (!hasNext()) {
                throw new NoSuchElementException();
            }
            return ready.poll();
        }

        private void nextWindow() {
            int len = text.length();
            while (pos < len && Character.isWhitespace(text.charAt(pos))) {
                pos++;
            }
            if (pos >= len) {
                done = true;
                return;
            }
            int end = Math.min(len, pos + windowChars);
            boolean last = end == len;
            if (!last) {
                end = cut(text, pos, end);
            }
            String window = text.substring(pos, end);
            Encoding encoding = tokenizer.encode(window, false, false);
            int[] starts;
            int[] ends;
            {
                CharSpan[] spans = encoding.getCharTokenSpans();
                int[] utf16 = codePointToUtf16(window);
                starts = new int[spans.length];
                ends = new int[spans.length];
                for (int i = 0; i < spans.length; i++) {
                    starts[i] =
                            pos
                                    + (utf16 == null
                                            ? spans[i].getStart()
                                            : utf16[spans[i].getStart()]);
                    ends[i] = pos + (utf16 == null ? spans[i].getEnd() : utf16[spans[i].getEnd()]);
                }
            }
            int n = starts.length;
            if (n == 0) {
                pos = end; // nothing the tokenizer keeps (e.g. control characters)
                return;
            }
            boolean[] boundary = new boolean[n + 1];
            boundary[0] = true;
            boundary[n] = last;
            for (int i = 1; i < n; i++) {
                boundary[i] =
                        starts[i] > ends[i - 1]
                                || (starts[i] < text.length() && isCjk(text.codePointAt(starts[i])))
                                || (ends[i - 1] > 0 && isCjk(text.codePointBefore(ends[i - 1])));
            }

            int s = 0;
            while (true) {
                if (n - s <= target) {
                    if (last || s == 0) {
                        // the rest of the text, or a window too few tokens for a chunk (only
                        // when single tokens span many characters)
                        emit(starts, ends, s, n);
                        pos = end;
                        done = last;
                    } else {
                        pos = starts[s]; // continue in a fresh window from the next chunk
                    }
                    return;
                }
                int b = s + target;
                while (b > s && !boundary[b]) {
                    b--;
                }
                if (b == s) {
                    b = s + target; // one word longer than a chunk: cut it at a token boundary
                }
                emit(starts, ends, s, b);
                int next = Math.max(b - overlap, s + 1);
                while (next < b && !boundary[next]) {
                    next++;
                }
                s = next;
            }
        }

        private void emit(int[] starts, int[] ends, int from, int to) {
            int startChar = starts[from];
            int endChar = ends[to - 1];
            ready.add(
                    new Chunk(
                            index++,
                            text.substring(startChar, endChar),
                            startChar,
                            endChar,
                            to - from));
        }
    }

    /**
     * Where to end a window that would end at {@code end}: after the last whitespace or CJK
     * character in its second half, so no word is cut; at {@code end} if there is none.
     */
    static int cut(String text, int from, int end) {
        int floor = from + (end - from) / 2;
        for (int k = end; k > floor; k--) {
            if (Character.isWhitespace(text.charAt(k - 1))) {
                return k;
            }
        }
        for (int k = end; k > floor; k--) {
            char c = text.charAt(k - 1);
            if (!Character.isHighSurrogate(c) && isCjk(text.codePointBefore(k))) {
                return k;
            }
        }
        return Character.isLowSurrogate(text.charAt(end)) ? end - 1 : end;
    }

    /** The tokenizer's offsets count code points; null when they equal String indices. */
    private static int[] codePointToUtf16(String s) {
        int cps = s.codePointCount(0, s.length());
        if (cps == s.length()) {
            return null;
        }
        int[] map = new int[cps + 1];
        int i = 0;
        for (int cp = 0; cp < cps; cp++) {
            map[cp] = i;
            i += Character.charCount(s.codePointAt(i));
        }
        map[cps] = i;
        return map;
    }

    static boolean isCjk(int codePoint) {
        Character.UnicodeScript script = Character.UnicodeScript.of(codePoint);
        return script == Character.UnicodeScript.HAN
                || script == Character.UnicodeScript.HIRAGANA
                || script == Character.UnicodeScript.KATAKANA;
    }
}
