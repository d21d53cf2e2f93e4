package io.kbstream.benchmark.load;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** Tests for {@link ZipfSampler}. */
class ZipfSamplerTest {

    @Test
    void rank_one_is_drawn_about_twice_as_often_as_rank_two_with_exponent_one() {
        ZipfSampler zipf = new ZipfSampler(800, 1.0);
        SplittableRandom random = new SplittableRandom(1);
        int[] counts = new int[800];
        for (int i = 0; i < 200_000; i++) {
            counts[zipf.next(random)]++;
        }
        assertThat((double) counts[0] / counts[1]).isBetween(1.8, 2.2);
        assertThat(counts[799]).isLessThan(counts[0] / 100);
    }

    @Test
    void every_draw_is_a_valid_rank() {
        ZipfSampler zipf = new ZipfSampler(3, 0.0);
        SplittableRandom random = new SplittableRandom(2);
        for (int i = 0; i < 10_000; i++) {
            assertThat(zipf.next(random)).isBetween(0, 2);
        }
    }

    @Test
    void rejects_an_empty_range() {
        assertThatThrownBy(() -> new ZipfSampler(0, 1.0))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
