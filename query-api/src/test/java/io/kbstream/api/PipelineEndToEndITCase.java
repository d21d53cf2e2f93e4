package io.kbstream.api;

import static io.kbstream.api.testing.Bodies.json;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.kbstream.api.testing.ApiUnderTest;
import io.kbstream.api.testing.Seeder;
import io.kbstream.client.EventStream;
import io.kbstream.client.http.Response;
import io.kbstream.core.testing.TestDocuments;
import io.kbstream.jobs.testing.PipelineRunner;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The whole flow with the real indexing job (on a MiniCluster, from the jobs test-jar): upload →
 * INDEXED pushed on the socket → the next search finds the document, uncached.
 */
class PipelineEndToEndITCase {

    private static ApiUnderTest api;
    private static PipelineRunner pipeline;

    @BeforeAll
    static void start() throws Exception {
        api = new ApiUnderTest();
        pipeline = PipelineRunner.start(api.config);
    }

    @AfterAll
    static void stop() throws Exception {
        pipeline.close();
        try (Seeder seeder = new Seeder(api.config)) {
            seeder.deleteTenant(api.tenantA);
            seeder.deleteTenant(api.tenantB);
        }
        api.close();
    }

    private static List<String> ids(JsonNode r) {
        List<String> ids = new ArrayList<>();
        r.get("results").forEach(h -> ids.add(h.get("id").asText()));
        return ids;
    }

    @Test
    void upload_is_indexed_notified_and_found_and_the_cache_follows_the_generation()
            throws Exception {
        try (EventStream socket = api.events("Bearer " + api.keyA)) {
            assertThat(socket.await("subscribed", 5)).isNotNull();
            String query = "{\"query\":\"axolotl regeneration of limbs\",\"mode\":\"keyword\"}";
            JsonNode before = json(api.postJson("/v1/search", api.keyA, query).body());
            assertThat(ids(before)).isEmpty();
            assertThat(
                            json(api.postJson("/v1/search", api.keyA, query).body())
                                    .get("cached")
                                    .asBoolean())
                    .isTrue();

            assertThat(
                            api.putJson(
                                            "/v1/documents/axolotl",
                                            api.keyA,
                                            "{\"title\":\"Axolotl\",\"text\":\"The axolotl is a"
                                                    + " salamander known for the regeneration of"
                                                    + " its limbs.\"}")
                                    .statusCode())
                    .isEqualTo(202);

            String indexed = null;
            long deadline = System.currentTimeMillis() + 180_000;
            while (indexed == null && System.currentTimeMillis() < deadline) {
                String m = socket.await("axolotl", 5);
                if (m != null && json(m).get("status").asText().matches("INDEXED|FAILED")) {
                    indexed = m;
                }
            }
            assertThat(indexed).as("INDEXED on the socket").isNotNull();
            assertThat(json(indexed).get("status").asText()).isEqualTo("INDEXED");

            JsonNode after = json(api.postJson("/v1/search", api.keyA, query).body());
            assertThat(after.get("cached").asBoolean()).isFalse();
            assertThat(ids(after)).containsExactly("axolotl");
            assertThat(
                            json(api.get("/v1/documents/axolotl", api.keyA).body())
                                    .get("status")
                                    .asText())
                    .isEqualTo("INDEXED");
            assertThat(ids(json(api.postJson("/v1/search", api.keyB, query).body()))).isEmpty();
        }
    }

    @Test
    void raw_pdf_body_is_indexed_and_found_with_its_header_metadata() throws Exception {
        byte[] pdf = TestDocuments.pdf("Mangrove roots filter salt from seawater in estuaries.");
        Response put =
                api.send(
                        api.request("PUT", "/v1/documents/mangrove", api.keyA)
                                .header("X-Kb-Title", "Mangroves")
                                .header("X-Kb-Meta-Habitat", "estuary")
                                .body("application/pdf", pdf));
        assertThat(put.statusCode()).isEqualTo(202);

        String status = "ACCEPTED";
        long deadline = System.currentTimeMillis() + 180_000;
        while (!status.matches("INDEXED|FAILED") && System.currentTimeMillis() < deadline) {
            Thread.sleep(250);
            status =
                    json(api.get("/v1/documents/mangrove", api.keyA).body()).get("status").asText();
        }
        assertThat(status).isEqualTo("INDEXED");
        JsonNode found =
                json(
                        api.postJson(
                                        "/v1/search",
                                        api.keyA,
                                        "{\"query\":\"mangrove roots salt\",\"mode\":\"keyword\","
                                                + "\"filter\":{\"metadata.habitat\":\"estuary\"}}")
                                .body());
        assertThat(ids(found)).containsExactly("mangrove");
        assertThat(found.get("results").get(0).get("title").asText()).isEqualTo("Mangroves");
    }
}
