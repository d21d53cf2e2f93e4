package io.kbstream.core.config;

/** Redis: connection, pool, timeouts, and how long document statuses are kept there. */
public final class RedisOptions {

    private RedisOptions() {}

    public static final ConfigOption<String> HOST =
            ConfigOption.key("kb.redis.host")
                    .stringType()
                    .defaultValue("127.0.0.1")
                    .withDescription("Redis host.");

    public static final ConfigOption<Integer> PORT =
            ConfigOption.key("kb.redis.port")
                    .intType()
                    .defaultFrom(c -> c.get(StackOptions.PORT_BASE) + 10)
                    .withDescription("Redis port.");

    public static final ConfigOption<String> PASSWORD =
            ConfigOption.key("kb.redis.password")
                    .stringType()
                    .secret()
                    .withDescription(
                            "Redis password (requirepass); the local stack generates one into"
                                    + " .kb/secrets.properties.");

    public static final ConfigOption<java.time.Duration> TIMEOUT =
            ConfigOption.key("kb.redis.timeout")
                    .durationType()
                    .defaultValue(java.time.Duration.ofMillis(500))
                    .withDescription(
                            "Connect and read timeout for Redis; searches fall back to the shards"
                                    + " after it.");

    public static final ConfigOption<Integer> POOL_SIZE =
            ConfigOption.key("kb.redis.pool-size")
                    .intType()
                    .defaultValue(32)
                    .withDescription("Pooled Redis connections per process.");

    public static final ConfigOption<java.time.Duration> STATUS_TTL =
            ConfigOption.key("kb.status.ttl")
                    .durationType()
                    .defaultValue(java.time.Duration.ofDays(7))
                    .withDescription(
                            "Lifetime of a document status in Redis; the shard stays the record.");
}
