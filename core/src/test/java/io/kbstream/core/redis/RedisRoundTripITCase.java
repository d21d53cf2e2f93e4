package io.kbstream.core.redis;

import static org.assertj.core.api.Assertions.assertThat;

import io.kbstream.core.config.KbConfig;
import io.kbstream.core.testing.LocalStackConfig;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.JedisPooled;

/** Tests for {@link RedisConnections} and {@link IndexGenerations} on the local Redis. */
class RedisRoundTripITCase {

    private static JedisPooled redis;

    @BeforeAll
    static void connect() {
        KbConfig config = LocalStackConfig.load();
        redis = RedisConnections.pooled(config);
    }

    @AfterAll
    static void close() {
        redis.close();
    }

    @Test
    void value_written_is_read_back() {
        String key = "kb:test:" + LocalStackConfig.uniqueTenant("rt");
        redis.setex(key, 60, "héllo wörld");
        assertThat(redis.get(key)).isEqualTo("héllo wörld");
        assertThat(redis.ttl(key)).isBetween(1L, 60L);
        redis.del(key);
        assertThat(redis.get(key)).isNull();
    }

    @Test
    void generation_starts_at_zero_and_counts_every_bump() {
        IndexGenerations generations = new IndexGenerations(redis);
        String tenant = LocalStackConfig.uniqueTenant("gen");
        assertThat(generations.current(tenant)).isZero();
        assertThat(generations.bump(tenant)).isEqualTo(1);
        assertThat(generations.bump(tenant)).isEqualTo(2);
        assertThat(generations.current(tenant)).isEqualTo(2);
        redis.del(RedisKeys.generation(tenant));
    }
}
