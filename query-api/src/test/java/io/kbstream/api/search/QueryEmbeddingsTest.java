package io.kbstream.api.search;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** Tests for the float32 encoding of cached query embeddings. */
class QueryEmbeddingsTest {

    @Test
    void float32_little_endian_round_trip() {
        float[] v = {0f, -1.5f, 3.25e-7f, Float.MAX_VALUE};
        byte[] bytes = QueryEmbeddings.encode(v);
        assertThat(bytes).hasSize(16);
        assertThat(bytes[4]).isEqualTo((byte) 0x00); // -1.5f = 0xBFC00000, little-endian
        assertThat(bytes[7]).isEqualTo((byte) 0xBF);
        assertThat(QueryEmbeddings.decode(bytes)).containsExactly(v);
    }
}
