package io.kbstream.api;

import static io.kbstream.api.testing.Bodies.json;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.kbstream.api.testing.ApiUnderTest;
import io.kbstream.api.testing.Seeder;
import io.kbstream.client.ApiClient;
import io.kbstream.client.http.Response;
import io.kbstream.core.config.ApiOptions;
import io.kbstream.core.config.KbConfig;
import io.kbstream.core.redis.RedisConnections;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.JedisPooled;
import redis.clients.jedis.params.ScanParams;
import redis.clients.jedis.resps.ScanResult;

/**
 * Cache warm-up across a restart, on the local stack: searches made on one instance are counted in
 * Redis when it stops; a fresh instance runs the most frequent of them into its in-process cache
 * before it reports ready, so it answers them from process memory right after start. To tell the
 * in-process cache from Redis's, the tenant's Redis search entries are deleted before each fresh
 * instance's first search: a cached answer can then only come from the instance itself.
 */
class CacheWarmupITCase {

    private static final String FREQUENT =
            "{\"query\":\"quokka marsupial island\",\"mode\":\"hybrid\"}";
    private static final String RARE = "{\"query\":\"axolotl limbs\",\"mode\":\"keyword\"}";

    /** Generous: the warm-up must finish, not race a short bound, on a loaded machine. */
    private static final Duration WARMUP_TIMEOUT = Duration.ofSeconds(90);

    private static ApiUnderTest api;
    private static JedisPooled redis;

    @BeforeAll
    static void seed_and_search_on_a_first_instance_that_then_stops() throws Exception {
        api = new ApiUnderTest();
        redis = RedisConnections.pooled(api.config);
        try (Seeder seeder = new Seeder(api.config)) {
            seeder.index(
                    api.tenantA,
                    "quokka",
                    "Quokka",
                    Map.of(),
                    "The quokka is a small marsupial of Rottnest Island.");
            seeder.index(
                    api.tenantA,
                    "axolotl",
                    "Axolotl",
                    Map.of(),
                    "The axolotl regenerates its limbs.");
        }
        for (int i = 0; i < 5; i++) {
            assertThat(api.postJson("/v1/search", api.keyA, FREQUENT).statusCode()).isEqualTo(200);
        }
        assertThat(api.postJson("/v1/search", api.keyA, RARE).statusCode()).isEqualTo(200);
        // a restart: stopping flushes the instance's search counts to Redis
        api.server.stop();
    }

    @AfterAll
    static void stop() {
        if (api == null) {
            return;
        }
        try (Seeder seeder = new Seeder(api.config)) {
            seeder.deleteTenant(api.tenantA);
        }
        redis.close();
        api.close();
    }

    @Test
    void a_fresh_instance_answers_a_frequent_search_from_its_own_cache_right_after_start()
            throws Exception {
        ApiServer fresh = start(200);
        try {
            forgetRedisSearchCache();
            JsonNode frequent = search(fresh, FREQUENT);
            assertThat(frequent.get("cached").asBoolean()).as("from the in-process cache").isTrue();
            assertThat(frequent.get("results").get(0).get("id").asText()).isEqualTo("quokka");
            assertThat(search(fresh, RARE).get("cached").asBoolean()).isTrue();
        } finally {
            fresh.stop();
        }
    }

    @Test
    void the_warm_up_takes_the_most_frequent_searches_first_and_no_more_than_its_count() {
        ApiServer fresh = start(1);
        try {
            forgetRedisSearchCache();
            assertThat(search(fresh, FREQUENT).get("cached").asBoolean()).isTrue();
            assertThat(search(fresh, RARE).get("cached").asBoolean()).isFalse();
        } finally {
            fresh.stop();
        }
    }

    @Test
    void a_fresh_instance_without_warm_up_starts_cold() {
        ApiServer fresh = start(0);
        try {
            forgetRedisSearchCache();
            assertThat(search(fresh, FREQUENT).get("cached").asBoolean()).isFalse();
        } finally {
            fresh.stop();
        }
    }

    /** A new instance with the first one's tenants and keys, once it reports ready. */
    private static ApiServer start(int warmupQueries) {
        KbConfig config =
                api.config
                        .with(ApiOptions.CACHE_WARMUP_QUERIES, Integer.toString(warmupQueries))
                        .with(ApiOptions.CACHE_WARMUP_TIMEOUT, WARMUP_TIMEOUT.toString());
        ApiServer server = ApiServer.create(config).start(0);
        ApiClient client = ApiClient.builder("http://127.0.0.1:" + server.port()).build();
        long deadline = System.nanoTime() + WARMUP_TIMEOUT.plusSeconds(30).toNanos();
        while (System.nanoTime() < deadline) {
            if (send(client, "GET", "/health/ready", null).statusCode() == 200) {
                return server;
            }
            sleep(100);
        }
        server.stop();
        throw new AssertionError("the fresh instance never reported ready");
    }

    private static JsonNode search(ApiServer server, String body) {
        ApiClient client = ApiClient.builder("http://127.0.0.1:" + server.port()).build();
        Response r = send(client, "POST", "/v1/search", body);
        assertThat(r.statusCode()).isEqualTo(200);
        return json(r.body());
    }

    private static Response send(ApiClient client, String method, String path, String body) {
        var request = client.request(method, path).header("Authorization", "Bearer " + api.keyA);
        if (body != null) {
            request = request.body("application/json", body.getBytes(StandardCharsets.UTF_8));
        }
        try {
            return client.send(request);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** Deletes the tenant's search answers from Redis (L2), keeping its search counts. */
    private static void forgetRedisSearchCache() {
        String cursor = ScanParams.SCAN_POINTER_START;
        ScanParams match = new ScanParams().match("kb:search:" + api.tenantA + ":*").count(500);
        do {
            ScanResult<String> page = redis.scan(cursor, match);
            page.getResult().forEach(redis::del);
            cursor = page.getCursor();
        } while (!cursor.equals(ScanParams.SCAN_POINTER_START));
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
