package io.kbstream.schemas;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import org.junit.jupiter.api.Test;

/** Tests for {@link DocumentVersions}. */
class DocumentVersionsTest {

    @Test
    void versions_follow_offsets_and_ignore_every_clock() {
        assertThat(DocumentVersions.ofOffset(0)).isEqualTo(DocumentVersions.FIRST);
        assertThat(DocumentVersions.ofOffset(41)).isEqualTo(DocumentVersions.FIRST + 41);
        assertThat(DocumentVersions.ofOffset(42)).isGreaterThan(DocumentVersions.ofOffset(41));
    }

    @Test
    void every_version_outranks_the_wall_clock_versions_of_older_builds() {
        long clockVersionIn2100 =
                ChronoUnit.MICROS.between(Instant.EPOCH, Instant.parse("2100-01-01T00:00:00Z"));

        assertThat(DocumentVersions.ofOffset(0)).isGreaterThan(clockVersionIn2100);
    }

    @Test
    void versions_stay_exact_as_json_doubles_for_offsets_up_to_four_quadrillion() {
        long version = DocumentVersions.ofOffset(4_000_000_000_000_000L);

        assertThat(version).isLessThanOrEqualTo(1L << 53);
        assertThat((long) (double) version).isEqualTo(version);
    }

    @Test
    void a_missing_offset_is_not_a_version() {
        assertThatThrownBy(() -> DocumentVersions.ofOffset(-1))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("acked");
    }
}
