package io.kbstream.api;

import static io.kbstream.api.testing.Bodies.json;
import static io.kbstream.api.testing.Bodies.quote;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.kbstream.api.http.ApiKeys;
import io.kbstream.api.testing.ApiUnderTest;
import io.kbstream.api.testing.Seeder;
import io.kbstream.api.testing.SocketTranscript;
import io.kbstream.client.DocumentPage;
import io.kbstream.client.EventStream;
import io.kbstream.schemas.DocumentState;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Tenant B, holding a valid key of its own, tries every way at tenant A's documents: search in
 * every mode, filters naming A, SQL in the query and filters, a query A has just cached, get,
 * delete and overwrite by id, and the events socket. It never sees, changes or hears of them.
 */
class TenantIsolationITCase {

    private static final String SECRET_WORD = "platypus";

    private static ApiUnderTest api;
    private static Seeder seeder;

    @BeforeAll
    static void start() {
        api = new ApiUnderTest();
        seeder = new Seeder(api.config);
        seeder.index(
                api.tenantA,
                "shared-id",
                "A's secret",
                Map.of("lang", "en", "tenant", api.tenantB),
                SECRET_WORD + " venom glands are found on the hind legs of males");
        seeder.index(
                api.tenantA,
                "a-only",
                "A only",
                Map.of("lang", "en"),
                "the " + SECRET_WORD + " hunts with electroreception");
        seeder.index(
                api.tenantB,
                "shared-id",
                "B's own",
                Map.of("lang", "en"),
                "kangaroos carry their young in a pouch");
    }

    @AfterAll
    static void stop() {
        seeder.deleteTenant(api.tenantA);
        seeder.deleteTenant(api.tenantB);
        seeder.close();
        api.close();
    }

    private static List<String> idsAndTexts(String key, String body) {
        var r = api.postJson("/v1/search", key, body);
        assertThat(r.statusCode()).as(r.body()).isIn(200, 400);
        List<String> out = new ArrayList<>();
        if (r.statusCode() == 200) {
            for (JsonNode hit : json(r.body()).get("results")) {
                out.add(hit.get("id").asText() + " " + hit.path("title").asText() + " " + hit);
            }
        }
        return out;
    }

    @Test
    void search_in_every_mode_with_filter_and_sql_tricks_never_returns_another_tenants_chunks() {
        List<String> filters =
                List.of(
                        "{}",
                        "{\"metadata.tenant\":" + quote(api.tenantA) + "}",
                        "{\"metadata.tenant\":" + quote(api.tenantB) + "}",
                        "{\"metadata.lang\":\"en' OR '1'='1\"}",
                        "{\"metadata.lang\":\"en\"}");
        List<String> queries =
                List.of(
                        SECRET_WORD + " venom",
                        "' OR tenant <> '' --",
                        SECRET_WORD + "') OR ('1'='1",
                        SECRET_WORD + " | !x & " + SECRET_WORD + ":*");
        for (String mode : List.of("vector", "keyword", "hybrid")) {
            for (String filter : filters) {
                for (String query : queries) {
                    String body =
                            "{\"query\":"
                                    + quote(query)
                                    + ",\"mode\":\""
                                    + mode
                                    + "\",\"k\":100,\"filter\":"
                                    + filter
                                    + "}";
                    assertThat(idsAndTexts(api.keyB, body))
                            .as("%s", body)
                            .allSatisfy(hit -> assertThat(hit).doesNotContain(SECRET_WORD));
                }
            }
        }
        // and A does find its own: the searches above could have found something
        assertThat(
                        idsAndTexts(
                                api.keyA,
                                "{\"query\":\"" + SECRET_WORD + "\",\"mode\":\"keyword\"}"))
                .hasSize(2);
    }

    @Test
    void a_search_cached_for_tenant_A_is_never_served_to_tenant_B() {
        String body = "{\"query\":\"" + SECRET_WORD + " electroreception\",\"mode\":\"hybrid\"}";
        api.postJson("/v1/search", api.keyA, body);
        assertThat(
                        json(api.postJson("/v1/search", api.keyA, body).body())
                                .get("cached")
                                .asBoolean())
                .isTrue();

        JsonNode b = json(api.postJson("/v1/search", api.keyB, body).body());

        assertThat(b.get("cached").asBoolean()).isFalse();
        assertThat(b.get("results").toString()).doesNotContain(SECRET_WORD);
    }

    @Test
    void get_delete_and_overwrite_by_id_only_ever_reach_the_callers_own_document() {
        assertThat(api.get("/v1/documents/a-only", api.keyB).statusCode()).isEqualTo(404);
        assertThat(api.delete("/v1/documents/a-only", api.keyB).statusCode()).isEqualTo(404);

        JsonNode bShared = json(api.get("/v1/documents/shared-id", api.keyB).body());
        assertThat(bShared.get("tenant").asText()).isEqualTo(api.tenantB);

        // B replacing and deleting "its" shared-id acts on B's document only
        assertThat(
                        api.putJson("/v1/documents/a-only", api.keyB, "{\"text\":\"mine now\"}")
                                .statusCode())
                .isEqualTo(202);
        assertThat(api.delete("/v1/documents/shared-id", api.keyB).statusCode()).isEqualTo(202);
        JsonNode aShared = json(api.get("/v1/documents/shared-id", api.keyA).body());
        assertThat(aShared.get("tenant").asText()).isEqualTo(api.tenantA);
        assertThat(aShared.get("status").asText()).isEqualTo("INDEXED");
        JsonNode aOnly = json(api.get("/v1/documents/a-only", api.keyA).body());
        assertThat(aOnly.get("status").asText()).isEqualTo("INDEXED");
    }

    @Test
    void listing_shows_only_the_callers_documents_even_with_another_tenants_cursor() {
        DocumentPage a = api.clientA().listDocuments(null, null, 1);
        assertThat(a.documents()).hasSize(1);
        assertThat(a.nextCursor()).isNotNull();
        assertThat(api.clientA().listDocuments(null, null, 100).documents())
                .extracting(DocumentPage.Document::title)
                .contains("A's secret", "A only");

        List<DocumentPage.Document> seenByB = new ArrayList<>();
        for (DocumentState state : new DocumentState[] {null, DocumentState.INDEXED}) {
            seenByB.addAll(api.clientB().listDocuments(state, null, 100).documents());
            // A's cursor is only a position: B continues through B's own documents
            seenByB.addAll(api.clientB().listDocuments(state, a.nextCursor(), 100).documents());
        }
        assertThat(seenByB).isNotEmpty();
        assertThat(seenByB)
                .extracting(DocumentPage.Document::title)
                .doesNotContain("A's secret", "A only");
        for (DocumentPage.Document d : seenByB) {
            assertThat(api.clientB().status(d.id()).tenant()).isEqualTo(api.tenantB);
        }
    }

    @Test
    void a_tenant_name_or_another_tenants_key_hash_is_not_a_key() {
        for (String key : List.of(api.tenantA, ApiKeys.hash(api.keyA), "Bearer " + api.keyA)) {
            assertThat(api.get("/v1/documents/a-only", key).statusCode()).isEqualTo(401);
            assertThat(api.get("/v1/documents", key).statusCode()).isEqualTo(401);
        }
    }

    @Test
    void a_tenant_key_opens_no_admin_endpoint_and_GET_tenant_shows_only_its_own_tenant() {
        for (String[] route :
                new String[][] {
                    {"GET", "/admin/v1/tenants"},
                    {"DELETE", "/admin/v1/tenants/" + api.tenantA},
                    {"POST", "/admin/v1/tenants/" + api.tenantA + "/keys"},
                    {"GET", "/admin/v1/tenants/" + api.tenantA + "/keys"},
                    {"PUT", "/admin/v1/tenants/" + api.tenantB + "/quotas"}
                }) {
            var r =
                    api.sendBytes(
                            route[0], route[1], api.keyB, "application/json", "{}".getBytes());
            assertThat(r.statusCode()).as(route[0] + " " + route[1]).isEqualTo(401);
            assertThat(json(r.body()).path("error").path("code").asText())
                    .isEqualTo("unauthorized");
        }
        var mine = api.get("/v1/tenant?tenant=" + api.tenantA, api.keyB);
        assertThat(mine.statusCode()).isEqualTo(200);
        assertThat(json(mine.body()).path("tenant").asText()).isEqualTo(api.tenantB);
    }

    @Test
    void events_of_tenant_A_never_reach_a_socket_of_tenant_B() throws Exception {
        try (EventStream byHeader = api.events("Bearer " + api.keyB);
                EventStream byMessage = api.events(null);
                EventStream claimsTenant = api.events(null);
                EventStream a = api.events("Bearer " + api.keyA)) {
            byMessage.send(
                    "{\"apiKey\":" + quote(api.keyB) + ",\"tenant\":" + quote(api.tenantA) + "}");
            claimsTenant.send("{\"tenant\":" + quote(api.tenantA) + "}");
            SocketTranscript toHeader = new SocketTranscript(byHeader);
            SocketTranscript toMessage = new SocketTranscript(byMessage);
            assertThat(toHeader.await("subscribed", 5)).contains(api.tenantB);
            assertThat(toMessage.await("subscribed", 5)).contains(api.tenantB);
            assertThat(claimsTenant.closed().get(5, TimeUnit.SECONDS)).isEqualTo(1008);
            assertThat(a.await("subscribed", 5)).isNotNull();
            byHeader.send("{\"apiKey\":" + quote(api.keyA) + "}"); // no switching once subscribed

            api.putJson("/v1/documents/ws-secret", api.keyA, "{\"text\":\"" + SECRET_WORD + "\"}");
            assertThat(a.await("ws-secret", 10)).isNotNull();
            // B's own status arriving after A's was delivered: a leak would have come before it
            api.putJson("/v1/documents/ws-b-own", api.keyB, "{\"text\":\"own\"}");

            for (SocketTranscript b : List.of(toHeader, toMessage)) {
                b.await("ws-b-own", 10);
                assertThat(b.all()).noneMatch(m -> m.contains("ws-secret"));
            }
        }
    }
}
