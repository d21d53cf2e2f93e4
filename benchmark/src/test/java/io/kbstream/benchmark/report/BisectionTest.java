package io.kbstream.benchmark.report;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Tests for {@link Bisection}. */
class BisectionTest {

    @Test
    void the_largest_holding_count_is_found_to_within_ten_percent_below_the_true_limit() {
        for (int limit : List.of(1000, 1234, 3700, 6001, 9999)) {
            List<Integer> probed = new ArrayList<>();
            Bisection b =
                    Bisection.largestHolding(
                            10_000,
                            1000,
                            1.10,
                            users -> {
                                probed.add(users);
                                return users <= limit;
                            });

            assertThat(b.held()).as("limit %d", limit).isLessThanOrEqualTo(limit);
            assertThat(b.lowestFailing()).isGreaterThan(limit);
            assertThat(b.lowestFailing() / (double) b.held()).isLessThanOrEqualTo(1.10);
            assertThat(b.probes()).isEqualTo(probed.size()).isLessThanOrEqualTo(8);
        }
    }

    @Test
    void a_target_that_holds_is_probed_once_and_a_failing_floor_gives_zero() {
        assertThat(Bisection.largestHolding(10_000, 1000, 1.1, u -> true))
                .isEqualTo(new Bisection(10_000, null, 1));
        assertThat(Bisection.largestHolding(10_000, 1000, 1.1, u -> false))
                .isEqualTo(new Bisection(0, 1000, 2));
    }
}
