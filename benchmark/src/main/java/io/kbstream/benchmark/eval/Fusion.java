package io.kbstream.benchmark.eval;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Offline reciprocal rank fusion of two runs, as the API fuses vector and keyword lists ({@code
 * w_list / (k + rank)} summed, ranks from 1), to sweep the RRF constant and the second list's
 * weight without re-querying.
 */
public final class Fusion {

    private Fusion() {}

    public static Ranking rrf(Ranking a, Ranking b, int rrfK, int k) {
        return rrf(a, b, rrfK, 1.0, k);
    }

    /** As {@link #rrf(Ranking, Ranking, int, int)}, with {@code b}'s contributions weighted. */
    public static Ranking rrf(Ranking a, Ranking b, int rrfK, double weightB, int k) {
        Ranking out = new Ranking();
        List<String> queries = new ArrayList<>(a.asMap().keySet());
        b.asMap().keySet().stream().filter(q -> !queries.contains(q)).forEach(queries::add);
        for (String q : queries) {
            Map<String, Double> score = new HashMap<>();
            for (Ranking run : List.of(a, b)) {
                double weight = run == b ? weightB : 1.0;
                List<Ranking.Hit> hits = run.of(q);
                for (int i = 0; i < hits.size(); i++) {
                    score.merge(hits.get(i).docId(), weight / (rrfK + i + 1), Double::sum);
                }
            }
            out.put(
                    q,
                    score.entrySet().stream()
                            .sorted(
                                    Map.Entry.<String, Double>comparingByValue()
                                            .reversed()
                                            .thenComparing(Map.Entry.comparingByKey()))
                            .limit(k)
                            .map(e -> new Ranking.Hit(e.getKey(), e.getValue()))
                            .toList());
        }
        return out;
    }
}
