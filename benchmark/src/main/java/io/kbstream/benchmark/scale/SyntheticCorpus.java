package io.kbstream.benchmark.scale;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Synthetic chunks for the scale probe, made without the model: text resampled from real abstracts
 * (random sentences of the corpus until a chunk holds about as many words as a real 200-token
 * chunk, under a random real title), and random unit vectors. The vocabulary and the term
 * frequencies are then those of the corpus, which is what the keyword index's cost depends on;
 * random vectors are the hardest case for HNSW (no clusters to exploit).
 */
final class SyntheticCorpus {

    private static final ObjectMapper JSON = new ObjectMapper();

    /** Words per chunk, uniformly: SciFact's 200-token chunks hold about 100-160 words. */
    static final int MIN_WORDS = 60;

    static final int MAX_WORDS = 160;

    private final List<String> sentences;
    private final List<String> titles;

    private SyntheticCorpus(List<String> sentences, List<String> titles) {
        this.sentences = sentences;
        this.titles = titles;
    }

    /** Sentences and titles of a BEIR {@code corpus.jsonl}, read in place. */
    static SyntheticCorpus fromBeir(Path corpus) throws IOException {
        List<String> sentences = new ArrayList<>();
        List<String> titles = new ArrayList<>();
        try (BufferedReader in = Files.newBufferedReader(corpus, StandardCharsets.UTF_8)) {
            String line;
            while ((line = in.readLine()) != null) {
                if (line.isBlank()) {
                    continue;
                }
                JsonNode doc = JSON.readTree(line);
                String title = doc.path("title").asText("");
                if (!title.isBlank()) {
                    titles.add(title);
                }
                for (String s : doc.path("text").asText("").split("(?<=[.!?])\\s+")) {
                    if (s.length() > 20) {
                        sentences.add(s.strip());
                    }
                }
            }
        }
        if (sentences.isEmpty() || titles.isEmpty()) {
            throw new IOException(corpus + " holds no sentences or titles");
        }
        return new SyntheticCorpus(sentences, titles);
    }

    String title(Random random) {
        return titles.get(random.nextInt(titles.size()));
    }

    String chunkText(Random random) {
        int target = MIN_WORDS + random.nextInt(MAX_WORDS - MIN_WORDS + 1);
        StringBuilder text = new StringBuilder();
        int words = 0;
        while (words < target) {
            String s = sentences.get(random.nextInt(sentences.size()));
            text.append(s).append(' ');
            words += s.split("\\s+").length;
        }
        return text.toString().strip();
    }

    static float[] unitVector(Random random, int dimension) {
        float[] v = new float[dimension];
        double norm = 0;
        for (int i = 0; i < dimension; i++) {
            v[i] = (float) random.nextGaussian();
            norm += v[i] * v[i];
        }
        float scale = (float) (1 / Math.sqrt(norm));
        for (int i = 0; i < dimension; i++) {
            v[i] *= scale;
        }
        return v;
    }
}
