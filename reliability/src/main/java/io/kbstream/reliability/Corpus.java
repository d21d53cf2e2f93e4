package io.kbstream.reliability;

import java.util.List;
import java.util.Random;

/**
 * Documents and queries generated from a seed: the same seed gives the same ids, titles and texts
 * on every run, so a scenario is repeatable and its expected chunk counts can be recomputed.
 */
public final class Corpus {

    private static final List<String> WORDS =
            List.of(
                    "protein",
                    "cell",
                    "membrane",
                    "signal",
                    "pathway",
                    "receptor",
                    "kinase",
                    "gene",
                    "expression",
                    "mutation",
                    "tumor",
                    "immune",
                    "response",
                    "virus",
                    "antibody",
                    "vaccine",
                    "trial",
                    "patient",
                    "dose",
                    "risk",
                    "cohort",
                    "mouse",
                    "model",
                    "brain",
                    "neuron",
                    "synapse",
                    "memory",
                    "sleep",
                    "heart",
                    "blood",
                    "pressure",
                    "insulin",
                    "glucose",
                    "obesity",
                    "diet",
                    "exercise",
                    "muscle",
                    "bone",
                    "calcium",
                    "vitamin",
                    "enzyme",
                    "metabolism",
                    "mitochondria",
                    "oxygen",
                    "stress",
                    "inflammation",
                    "infection",
                    "bacteria",
                    "resistance",
                    "therapy",
                    "drug",
                    "placebo",
                    "outcome",
                    "mortality",
                    "survival",
                    "age",
                    "children",
                    "pregnancy",
                    "smoking",
                    "cancer",
                    "lung",
                    "liver",
                    "kidney",
                    "stem",
                    "tissue",
                    "growth",
                    "factor",
                    "hormone",
                    "estrogen",
                    "dopamine",
                    "serotonin",
                    "depression",
                    "anxiety",
                    "cognitive",
                    "decline",
                    "dementia",
                    "sequence",
                    "genome",
                    "variant",
                    "population",
                    "analysis",
                    "significant",
                    "increase",
                    "decrease",
                    "associated",
                    "reduced",
                    "higher",
                    "lower",
                    "level",
                    "study",
                    "evidence",
                    "effect",
                    "mechanism",
                    "regulation",
                    "binding",
                    "structure",
                    "function",
                    "activity",
                    "network",
                    "clinical",
                    "treatment");

    private final long seed;

    public Corpus(long seed) {
        this.seed = seed;
    }

    /** One generated document. */
    public record Doc(String id, String title, String text) {}

    /** Document {@code n} under {@code prefix}: 30 to 230 words, one or two chunks. */
    public Doc doc(String prefix, int n) {
        return revision(prefix, n, 0);
    }

    /** Revision {@code rev} of document {@code n}: the same id with another text. */
    public Doc revision(String prefix, int n, int rev) {
        Random random = new Random(seed * 1_000_003L + prefix.hashCode() * 31L + n * 7919L + rev);
        String id = String.format("%s-%05d", prefix, n);
        return new Doc(id, words(random, 4), words(random, 30 + random.nextInt(200)) + ".");
    }

    /** A search of three to five words, drawn from {@code random}. */
    public static String query(Random random) {
        return words(random, 3 + random.nextInt(3));
    }

    private static String words(Random random, int count) {
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < count; i++) {
            if (i > 0) {
                out.append(i % 12 == 0 ? ". " : " ");
            }
            out.append(WORDS.get(random.nextInt(WORDS.size())));
        }
        return out.toString();
    }
}
