package io.kbstream.benchmark.eval;

import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A run: per query, the documents a system returned, best first. Reads and writes the TREC run
 * format, one line per hit: {@code qid Q0 docid rank score tag} (rank from 1).
 */
public final class Ranking {

    /** One returned document and the score the system gave it. */
    public record Hit(String docId, double score) {}

    private final Map<String, List<Hit>> perQuery = new LinkedHashMap<>();

    /** Records the ranked hits of one query (replacing any earlier ones). */
    public synchronized void put(String queryId, List<Hit> hits) {
        perQuery.put(queryId, List.copyOf(hits));
    }

    /** The hits of one query, best first; empty if the query returned nothing. */
    public synchronized List<Hit> of(String queryId) {
        return perQuery.getOrDefault(queryId, List.of());
    }

    public synchronized Map<String, List<Hit>> asMap() {
        return Collections.unmodifiableMap(new LinkedHashMap<>(perQuery));
    }

    /** Writes the run in TREC format; query and document ids must not contain whitespace. */
    public void writeTrec(Path file, String tag) throws IOException {
        if (file.getParent() != null) {
            Files.createDirectories(file.getParent());
        }
        try (BufferedWriter out = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
            for (Map.Entry<String, List<Hit>> e : asMap().entrySet()) {
                List<Hit> hits = e.getValue();
                for (int i = 0; i < hits.size(); i++) {
                    out.write(
                            String.format(
                                    Locale.ROOT,
                                    "%s Q0 %s %d %.6f %s%n",
                                    e.getKey(),
                                    hits.get(i).docId(),
                                    i + 1,
                                    hits.get(i).score(),
                                    tag));
                }
            }
        }
    }

    /** Reads a TREC run file; hits of each query are ordered by their rank column. */
    public static Ranking readTrec(Path file) throws IOException {
        record Line(int rank, Hit hit) {}
        Map<String, List<Line>> lines = new LinkedHashMap<>();
        try (BufferedReader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            String line;
            while ((line = in.readLine()) != null) {
                if (line.isBlank()) {
                    continue;
                }
                String[] f = line.trim().split("\\s+");
                if (f.length < 6) {
                    throw new IOException(file + ": not a TREC run line: " + line);
                }
                lines.computeIfAbsent(f[0], q -> new ArrayList<>())
                        .add(
                                new Line(
                                        Integer.parseInt(f[3]),
                                        new Hit(f[2], Double.parseDouble(f[4]))));
            }
        }
        Ranking run = new Ranking();
        lines.forEach(
                (q, l) -> {
                    l.sort((a, b) -> Integer.compare(a.rank(), b.rank()));
                    run.put(q, l.stream().map(Line::hit).toList());
                });
        return run;
    }
}
