package io.kbstream.benchmark.eval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Tests for {@link PairedBootstrap}. */
class PairedBootstrapTest {

    @Test
    void a_constant_difference_has_a_null_width_interval() {
        Map<String, Double> a = Map.of("q1", 0.7, "q2", 0.4, "q3", 0.9);
        Map<String, Double> b = Map.of("q1", 0.6, "q2", 0.3, "q3", 0.8);

        PairedBootstrap ci = PairedBootstrap.of(a, b, 0.95, 1000, 1);

        assertThat(ci.meanDifference()).isCloseTo(0.1, within(1e-12));
        assertThat(ci.low()).isCloseTo(0.1, within(1e-12));
        assertThat(ci.high()).isCloseTo(0.1, within(1e-12));
    }

    @Test
    void a_small_gain_among_noisy_queries_is_bracketed_and_seeded() {
        Random random = new Random(3);
        Map<String, Double> a = new LinkedHashMap<>();
        Map<String, Double> b = new LinkedHashMap<>();
        for (int q = 0; q < 800; q++) {
            double base = random.nextDouble();
            b.put("q" + q, base);
            a.put("q" + q, base + 0.02 + 0.1 * random.nextGaussian());
        }

        PairedBootstrap ci = PairedBootstrap.of(a, b, 0.95, 5000, 42);

        // standard error 0.1/sqrt(800) = 0.0035: the 95% interval is about mean ± 0.007
        assertThat(ci.low()).isLessThan(ci.meanDifference());
        assertThat(ci.high()).isGreaterThan(ci.meanDifference());
        assertThat(ci.high() - ci.low()).isBetween(0.010, 0.018);
        assertThat(ci.excludesZeroAbove()).isTrue();
        assertThat(PairedBootstrap.of(a, b, 0.95, 5000, 42)).isEqualTo(ci);
    }

    @Test
    void no_gain_gives_an_interval_around_zero() {
        Map<String, Double> a = new LinkedHashMap<>();
        Map<String, Double> b = new LinkedHashMap<>();
        for (int q = 0; q < 400; q++) {
            a.put("q" + q, q % 2 == 0 ? 1.0 : 0.0);
            b.put("q" + q, q % 2 == 0 ? 0.0 : 1.0);
        }

        PairedBootstrap ci = PairedBootstrap.of(a, b, 0.95, 5000, 42);

        assertThat(ci.meanDifference()).isZero();
        assertThat(ci.low()).isNegative();
        assertThat(ci.high()).isPositive();
        assertThat(ci.excludesZeroAbove()).isFalse();
    }

    @Test
    void systems_scored_on_different_queries_are_refused() {
        assertThatThrownBy(
                        () ->
                                PairedBootstrap.of(
                                        Map.of("q1", 1.0), Map.of("q2", 1.0), 0.95, 100, 1))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("same queries");
    }
}
