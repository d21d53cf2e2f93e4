package io.kbstream.benchmark.eval;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Relevance judgements: query id → (document id → graded relevance). Only grades above zero count
 * as relevant; a judged grade of 0 is kept but adds nothing to any metric.
 */
public final class Qrels {

    private final Map<String, Map<String, Integer>> judged;

    public Qrels(Map<String, Map<String, Integer>> judged) {
        Map<String, Map<String, Integer>> copy = new LinkedHashMap<>();
        judged.forEach(
                (q, docs) -> copy.put(q, Collections.unmodifiableMap(new LinkedHashMap<>(docs))));
        this.judged = Collections.unmodifiableMap(copy);
    }

    /**
     * Reads a BEIR qrels file: tab-separated {@code query-id corpus-id score}, with a header line
     * (recognised by a non-numeric score) and blank lines ignored.
     */
    public static Qrels load(Path tsv) throws IOException {
        Map<String, Map<String, Integer>> judged = new LinkedHashMap<>();
        try (BufferedReader in = Files.newBufferedReader(tsv, StandardCharsets.UTF_8)) {
            String line;
            int number = 0;
            while ((line = in.readLine()) != null) {
                number++;
                if (line.isBlank()) {
                    continue;
                }
                String[] f = line.split("\t");
                if (f.length < 3) {
                    throw new IOException(tsv + ":" + number + ": expected 3 tab-separated fields");
                }
                int grade;
                try {
                    grade = Integer.parseInt(f[2].trim());
                } catch (NumberFormatException e) {
                    if (number == 1) {
                        continue; // the header: query-id corpus-id score
                    }
                    throw new IOException(tsv + ":" + number + ": score is not an integer", e);
                }
                judged.computeIfAbsent(f[0].trim(), q -> new LinkedHashMap<>())
                        .merge(f[1].trim(), grade, Math::max);
            }
        }
        return new Qrels(judged);
    }

    /** Queries with at least one judgement, in file order. */
    public Iterable<String> queryIds() {
        return judged.keySet();
    }

    public int queryCount() {
        return judged.size();
    }

    /** The judgements of one query; empty if it has none. */
    public Map<String, Integer> of(String queryId) {
        return judged.getOrDefault(queryId, Map.of());
    }

    public Map<String, Map<String, Integer>> asMap() {
        return judged;
    }
}
