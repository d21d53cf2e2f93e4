package io.kbstream.core.redis;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import redis.clients.jedis.UnifiedJedis;
import redis.clients.jedis.exceptions.JedisNoScriptException;

/**
 * A Lua script run by its SHA-1 ({@code EVALSHA}), so a hot path sends 40 characters instead of the
 * script; Redis loads it on the first NOSCRIPT (e.g. after a restart) by a plain {@code EVAL}.
 */
public final class RedisScript {

    private final String source;
    private final String sha1;

    public RedisScript(String source) {
        this.source = source;
        try {
            this.sha1 =
                    HexFormat.of()
                            .formatHex(
                                    MessageDigest.getInstance("SHA-1")
                                            .digest(source.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-1 is part of every JVM", e);
        }
    }

    public Object run(UnifiedJedis redis, List<String> keys, List<String> args) {
        try {
            return redis.evalsha(sha1, keys, args);
        } catch (JedisNoScriptException e) {
            return redis.eval(source, keys, args);
        }
    }
}
