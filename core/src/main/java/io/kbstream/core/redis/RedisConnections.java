package io.kbstream.core.redis;

import io.kbstream.core.config.KbConfig;
import io.kbstream.core.config.RedisOptions;
import java.time.Duration;
import org.apache.commons.pool2.impl.GenericObjectPoolConfig;
import redis.clients.jedis.Connection;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.JedisPooled;

/** Builds the pooled Redis client from the shared config. */
public final class RedisConnections {

    private RedisConnections() {}

    /**
     * A thread-safe pooled client. Timeouts are short on purpose: Redis is a cache, and a search
     * must fall back to the shards rather than wait on it.
     */
    public static JedisPooled pooled(KbConfig config) {
        DefaultJedisClientConfig.Builder client =
                DefaultJedisClientConfig.builder()
                        .connectionTimeoutMillis((int) config.get(RedisOptions.TIMEOUT).toMillis())
                        .socketTimeoutMillis((int) config.get(RedisOptions.TIMEOUT).toMillis());
        String password = config.get(RedisOptions.PASSWORD);
        if (password != null && !password.isEmpty()) {
            client.password(password);
        }
        GenericObjectPoolConfig<Connection> pool = new GenericObjectPoolConfig<>();
        pool.setMaxTotal(config.get(RedisOptions.POOL_SIZE));
        pool.setMaxIdle(config.get(RedisOptions.POOL_SIZE));
        pool.setMaxWait(Duration.ofMillis(config.get(RedisOptions.TIMEOUT).toMillis()));
        pool.setJmxEnabled(false);
        return new JedisPooled(
                pool,
                new HostAndPort(config.get(RedisOptions.HOST), config.get(RedisOptions.PORT)),
                client.build());
    }
}
