package io.kbstream.api;

import static io.kbstream.api.testing.Bodies.json;
import static org.assertj.core.api.Assertions.assertThat;

import io.kbstream.api.testing.ApiUnderTest;
import io.kbstream.client.ApiClient;
import io.kbstream.client.ApiKeyInfo;
import io.kbstream.client.IssuedKey;
import io.kbstream.client.http.Response;
import io.kbstream.core.testing.LocalStackConfig;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Tenants and keys as data: two API instances share the catalog on shard 0; keys are issued,
 * rotated with overlap, revoked and expire without a restart.
 */
class TenantKeysITCase {

    private static ApiUnderTest api;
    private static ApiServer second;
    private static ApiClient secondClient;

    @BeforeAll
    static void start() {
        api = new ApiUnderTest();
        second =
                new ApiServer(
                                api.config,
                                ApiServer.Dependencies.open(
                                        api.config, java.time.Clock.systemUTC()))
                        .start(0);
        secondClient = ApiClient.builder("http://127.0.0.1:" + second.port()).build();
    }

    @AfterAll
    static void stop() {
        second.stop();
        api.close();
    }

    private static int status(ApiClient client, String key) {
        try {
            Response r =
                    client.send(
                            client.request("GET", "/v1/tenant")
                                    .header("Authorization", "Bearer " + key));
            return r.statusCode();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** Polls until every client answers {@code expected} for {@code key}; returns how long. */
    private static Duration untilAll(int expected, String key, Duration limit, ApiClient... clients)
            throws InterruptedException {
        long start = System.nanoTime();
        while (true) {
            boolean all = true;
            for (ApiClient c : clients) {
                all &= status(c, key) == expected;
            }
            Duration took = Duration.ofNanos(System.nanoTime() - start);
            if (all || took.compareTo(limit) > 0) {
                return took;
            }
            Thread.sleep(50);
        }
    }

    @Test
    void a_rotated_key_overlaps_and_the_revoked_one_is_refused_by_two_instances_within_5_s()
            throws Exception {
        String tenant = LocalStackConfig.uniqueTenant("rot");
        ApiClient admin = api.admin();
        assertThat(admin.createTenant(tenant).status()).isEqualTo("ACTIVE");
        IssuedKey old = admin.createKey(tenant, null);
        IssuedKey fresh = admin.createKey(tenant, null);
        assertThat(fresh.prefix()).isNotEqualTo(old.prefix());

        // both keys work on both instances (the second learns them from its refresh)
        assertThat(untilAll(200, old.key(), Duration.ofSeconds(5), api.client, secondClient))
                .isLessThanOrEqualTo(Duration.ofSeconds(5));
        assertThat(untilAll(200, fresh.key(), Duration.ofSeconds(5), api.client, secondClient))
                .isLessThanOrEqualTo(Duration.ofSeconds(5));
        assertThat(api.client.withApiKey(fresh.key()).tenant().tenant()).isEqualTo(tenant);

        admin.revokeKey(tenant, old.prefix());
        Duration refused =
                untilAll(401, old.key(), Duration.ofSeconds(6), api.client, secondClient);

        assertThat(refused).isLessThan(Duration.ofSeconds(5));
        assertThat(status(api.client, fresh.key())).isEqualTo(200);
        assertThat(status(secondClient, fresh.key())).isEqualTo(200);
        List<ApiKeyInfo> keys = admin.keys(tenant);
        assertThat(keys)
                .extracting(ApiKeyInfo::prefix)
                .containsExactlyInAnyOrder(old.prefix(), fresh.prefix());
        assertThat(keys)
                .filteredOn(ApiKeyInfo::live)
                .extracting(ApiKeyInfo::prefix)
                .containsExactly(fresh.prefix());
        admin.deleteTenant(tenant);
    }

    @Test
    void a_key_is_refused_once_it_expires() throws Exception {
        String tenant = LocalStackConfig.uniqueTenant("exp");
        ApiClient admin = api.admin();
        admin.createTenant(tenant);
        Instant expiresAt = Instant.now().plusSeconds(3);
        IssuedKey key = admin.createKey(tenant, expiresAt);
        assertThat(key.expiresAt()).isEqualTo(expiresAt);

        assertThat(status(api.client, key.key())).isEqualTo(200);
        while (Instant.now().isBefore(expiresAt)) {
            Thread.sleep(100);
        }
        assertThat(status(api.client, key.key())).isEqualTo(401);
        assertThat(admin.keys(tenant))
                .singleElement()
                .extracting(ApiKeyInfo::live)
                .isEqualTo(false);
        admin.deleteTenant(tenant);
    }

    @Test
    void listing_keys_shows_prefixes_and_never_a_secret() throws Exception {
        String tenant = LocalStackConfig.uniqueTenant("lst");
        api.admin().createTenant(tenant);
        IssuedKey key = api.admin().createKey(tenant, null);

        Response r = api.get("/admin/v1/tenants/" + tenant + "/keys", api.operatorKey);

        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.body()).contains(key.prefix()).doesNotContain(key.key());
        assertThat(json(r.body()).get("keys").get(0).has("sha256")).isFalse();
        api.admin().deleteTenant(tenant);
    }

    @Test
    void admin_endpoints_without_the_operator_key_give_401_with_a_json_error() {
        List<String[]> routes =
                List.of(
                        new String[] {"POST", "/admin/v1/tenants"},
                        new String[] {"GET", "/admin/v1/tenants"},
                        new String[] {"GET", "/admin/v1/tenants/" + api.tenantA},
                        new String[] {"DELETE", "/admin/v1/tenants/" + api.tenantA},
                        new String[] {"PUT", "/admin/v1/tenants/" + api.tenantA + "/quotas"},
                        new String[] {"POST", "/admin/v1/tenants/" + api.tenantA + "/keys"},
                        new String[] {"GET", "/admin/v1/tenants/" + api.tenantA + "/keys"},
                        new String[] {
                            "DELETE", "/admin/v1/tenants/" + api.tenantA + "/keys/abcdefgh"
                        });
        for (String[] route : routes) {
            for (String key : new String[] {null, api.keyA, "not-the-operator-key"}) {
                Response r =
                        api.sendBytes(route[0], route[1], key, "application/json", "{}".getBytes());
                assertThat(r.statusCode()).as(route[0] + " " + route[1]).isEqualTo(401);
                assertThat(json(r.body()).path("error").path("code").asText())
                        .isEqualTo("unauthorized");
            }
        }
    }

    @Test
    void bad_admin_input_gets_a_400_json_error_never_a_500() {
        String[][] cases = {
            {"POST", "/admin/v1/tenants", "{\"tenant\": \"Has Spaces\"}"},
            {"POST", "/admin/v1/tenants", "[1,2]"},
            {"POST", "/admin/v1/tenants", "{not json"},
            {"PUT", "/admin/v1/tenants/" + api.tenantA + "/quotas", "{\"documents\": -3}"},
            {
                "PUT",
                "/admin/v1/tenants/" + api.tenantA + "/quotas",
                "{\"requestsPerSecond\": \"x\"}"
            },
            {"POST", "/admin/v1/tenants/" + api.tenantA + "/keys", "{\"expiresAt\": \"tomorrow\"}"},
            {
                "POST",
                "/admin/v1/tenants/" + api.tenantA + "/keys",
                "{\"expiresAt\": \"2001-01-01T00:00:00Z\"}"
            },
        };
        for (String[] c : cases) {
            Response r =
                    api.sendBytes(c[0], c[1], api.operatorKey, "application/json", c[2].getBytes());
            assertThat(r.statusCode()).as(c[0] + " " + c[1] + " " + c[2]).isEqualTo(400);
            assertThat(json(r.body()).path("error").path("code").asText()).isEqualTo("bad_request");
        }
    }
}
