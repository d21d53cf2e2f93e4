package io.kbstream.api.search;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.kbstream.api.search.Fusion.Fused;
import io.kbstream.core.config.ApiOptions.FusionMethod;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Tests for {@link Fusion}: both methods computed by hand on small lists. */
class FusionTest {

    private record Doc(String id, double score) {}

    private static List<Fused<Doc>> fuse(Fusion f, List<Doc> vector, List<Doc> keyword, int k) {
        return f.fuse(vector, keyword, Doc::id, Doc::score, k);
    }

    private static List<String> ids(List<Fused<Doc>> fused) {
        return fused.stream().map(x -> x.shown().id()).toList();
    }

    @Test
    void rrf_weighs_the_keyword_list_by_its_share_and_the_vector_list_by_the_rest() {
        List<Doc> vector = List.of(new Doc("a", 0.9), new Doc("b", 0.8), new Doc("c", 0.7));
        List<Doc> keyword = List.of(new Doc("c", 3.0), new Doc("b", 2.0));

        List<Fused<Doc>> fused = fuse(new Fusion(FusionMethod.RRF, 0.25, 60), vector, keyword, 10);

        // c: 0.75/63 + 0.25/61 = 0.016003; b: 0.75/62 + 0.25/62 = 0.016129; a: 0.75/61 = 0.012295
        assertThat(ids(fused)).containsExactly("b", "c", "a");
        assertThat(fused.get(0).score()).isCloseTo(1.0 / 62, within(1e-12));
        assertThat(fused.get(1).score()).isCloseTo(0.75 / 63 + 0.25 / 61, within(1e-12));
        assertThat(fused.get(2).score()).isCloseTo(0.75 / 61, within(1e-12));
    }

    @Test
    void only_the_top_k_of_each_list_take_part() {
        List<Doc> vector = List.of(new Doc("a", 0.9), new Doc("b", 0.8), new Doc("c", 0.7));
        List<Doc> keyword = List.of(new Doc("c", 3.0), new Doc("x", 2.0));

        List<Fused<Doc>> fused = fuse(new Fusion(FusionMethod.RRF, 0.5, 0), vector, keyword, 2);

        // c's third place in the vector list is past k = 2: it scores 0.5/1 from keyword alone,
        // ties with a (0.5/1 from vector) and loses the tie by id
        assertThat(ids(fused)).containsExactly("a", "c");
        assertThat(fused.get(1).score()).isEqualTo(0.5);
    }

    @Test
    void convex_combines_min_max_normalised_scores() {
        List<Doc> vector = List.of(new Doc("a", 0.9), new Doc("b", 0.8), new Doc("c", 0.5));
        List<Doc> keyword = List.of(new Doc("c", 10), new Doc("b", 4), new Doc("d", 2));

        // normalised: vector a 1, b 0.75, c 0; keyword c 1, b 0.25, d 0
        List<Fused<Doc>> mostlyVector =
                fuse(new Fusion(FusionMethod.CONVEX, 0.3, 60), vector, keyword, 4);
        assertThat(ids(mostlyVector)).containsExactly("a", "b", "c", "d");
        assertThat(mostlyVector.get(1).score()).isCloseTo(0.7 * 0.75 + 0.3 * 0.25, within(1e-12));

        List<Fused<Doc>> mostlyKeyword =
                fuse(new Fusion(FusionMethod.CONVEX, 0.8, 60), vector, keyword, 4);
        assertThat(ids(mostlyKeyword)).containsExactly("c", "b", "a", "d");
        assertThat(mostlyKeyword.get(0).score()).isCloseTo(0.8, within(1e-12));
    }

    @Test
    void convex_gives_a_list_of_equal_scores_full_weight() {
        List<Fused<Doc>> fused =
                fuse(
                        new Fusion(FusionMethod.CONVEX, 0.4, 60),
                        List.of(new Doc("a", 0.3)),
                        List.of(new Doc("b", 7), new Doc("c", 7)),
                        3);

        assertThat(fused).extracting(Fused::score).containsExactly(0.6, 0.4, 0.4);
        assertThat(ids(fused)).containsExactly("a", "b", "c");
    }

    @Test
    void weight_zero_keeps_the_vector_order_for_every_method() {
        List<Doc> vector = List.of(new Doc("a", 0.9), new Doc("b", 0.2), new Doc("c", 0.1));
        List<Doc> keyword = List.of(new Doc("c", 9), new Doc("z", 8));
        for (FusionMethod m : FusionMethod.values()) {
            assertThat(ids(fuse(new Fusion(m, 0.0, 10), vector, keyword, 3)))
                    .as(m.name())
                    .containsExactly("a", "b", "c");
        }
    }

    @Test
    void the_shown_entry_comes_from_the_list_where_the_document_ranked_higher() {
        Doc vectorC = new Doc("c", 0.1);
        Doc keywordC = new Doc("c", 5.0);
        List<Fused<Doc>> fused =
                fuse(
                        new Fusion(FusionMethod.RRF, 0.5, 60),
                        List.of(new Doc("a", 0.9), new Doc("b", 0.5), vectorC),
                        List.of(keywordC),
                        3);

        assertThat(fused.stream().filter(f -> f.shown().id().equals("c")).findFirst())
                .get()
                .extracting(Fused::shown)
                .isSameAs(keywordC);
    }

    @Test
    void weights_outside_zero_to_one_and_negative_constants_are_refused() {
        assertThatThrownBy(() -> new Fusion(FusionMethod.RRF, 1.2, 60))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("keywordWeight");
        assertThatThrownBy(() -> new Fusion(FusionMethod.CONVEX, Double.NaN, 60))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new Fusion(FusionMethod.RRF, 0.5, -1))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("rrfK");
    }
}
