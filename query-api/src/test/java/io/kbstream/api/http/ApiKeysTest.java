package io.kbstream.api.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Tests for {@link ApiKeys}. */
class ApiKeysTest {

    @Test
    void hash_is_sha256_hex() {
        assertThat(ApiKeys.hash("abc"))
                .isEqualTo("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    }

    @Test
    void mint_gives_distinct_url_safe_32_byte_keys() {
        String a = ApiKeys.mint();
        assertThat(a).matches("[A-Za-z0-9_-]{43}").isNotEqualTo(ApiKeys.mint());
    }

    @Test
    void configured_hash_maps_the_key_to_its_tenant() {
        String key1 = ApiKeys.mint();
        String key2 = ApiKeys.mint();
        ApiKeys keys =
                ApiKeys.parse(
                        List.of(
                                ApiKeys.configEntry("acme", key1),
                                " beta-2:" + ApiKeys.hash(key2).toUpperCase()));

        assertThat(keys.tenantOf(key1)).contains("acme");
        assertThat(keys.tenantOfHeader("Bearer " + key2)).contains("beta-2");
        assertThat(keys.tenantOfHeader("bearer " + key1)).contains("acme");
        assertThat(keys.tenantOf("wrong")).isEmpty();
        assertThat(keys.tenantOf(ApiKeys.hash(key1))).as("the hash is not a key").isEmpty();
        assertThat(keys.tenantOfHeader(key1)).as("no Bearer prefix").isEmpty();
        assertThat(keys.tenantOfHeader("Basic " + key1)).isEmpty();
        assertThat(keys.tenantOfHeader(null)).isEmpty();
        assertThat(keys.tenantOf("")).isEmpty();
    }

    @Test
    void malformed_entries_are_rejected_without_echoing_them() {
        for (String bad :
                List.of(
                        "nocolon",
                        "acme:short",
                        "Acme:" + ApiKeys.hash("k"),
                        "a:b:" + ApiKeys.hash("k"),
                        ":" + ApiKeys.hash("k"),
                        "ac me:" + ApiKeys.hash("k"))) {
            assertThatThrownBy(() -> ApiKeys.parse(List.of(bad)))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageNotContaining(ApiKeys.hash("k"));
        }
    }

    @Test
    void tenant_ids_follow_the_pattern() {
        assertThat(ApiKeys.TENANT.matcher("demo").matches()).isTrue();
        assertThat(ApiKeys.TENANT.matcher("a_b-9").matches()).isTrue();
        assertThat(ApiKeys.TENANT.matcher("-a").matches()).isFalse();
        assertThat(ApiKeys.TENANT.matcher("a:b").matches()).isFalse();
        assertThat(ApiKeys.TENANT.matcher("a".repeat(64)).matches()).isFalse();
    }
}
