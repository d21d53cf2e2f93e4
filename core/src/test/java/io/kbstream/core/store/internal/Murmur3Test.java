package io.kbstream.core.store.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** Tests for {@link Murmur3}. */
class Murmur3Test {

    private static int h(String s, int seed) {
        return Murmur3.hash32(s.getBytes(StandardCharsets.UTF_8), seed);
    }

    @Test
    void matches_reference_vectors() {
        // MurmurHash3_x86_32 reference values (SMHasher; also Guava's murmur3_32_fixed)
        assertThat(h("", 0)).isEqualTo(0);
        assertThat(h("", 1)).isEqualTo(0x514E28B7);
        assertThat(h("", 0xffffffff)).isEqualTo(0x81F16F39);
        assertThat(Murmur3.hash32(new byte[] {0, 0, 0, 0}, 0)).isEqualTo(0x2362F9DE);
        assertThat(h("The quick brown fox jumps over the lazy dog", 0)).isEqualTo(0x2E4FF723);
    }

    @Test
    void every_tail_length_is_hashed() {
        assertThat(h("a", 0)).isNotEqualTo(h("ab", 0));
        assertThat(h("ab", 0)).isNotEqualTo(h("abc", 0));
        assertThat(h("abc", 0)).isNotEqualTo(h("abcd", 0));
        assertThat(h("abcd", 0)).isNotEqualTo(h("abcde", 0));
    }
}
