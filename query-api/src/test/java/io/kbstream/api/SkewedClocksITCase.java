package io.kbstream.api;

import static io.kbstream.api.testing.Bodies.json;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.kbstream.api.testing.ApiUnderTest;
import io.kbstream.api.testing.Seeder;
import io.kbstream.core.store.ShardedStore;
import io.kbstream.core.store.StoredDocument;
import io.kbstream.jobs.testing.PipelineRunner;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Two API instances whose clocks disagree by an hour, like pods on skewed nodes, in front of the
 * real indexing job and shards: the later of two writes of a document always wins, whichever
 * instance takes it. (With versions from the API's clock, an upload through the slow instance got a
 * lower version than the one before it, and the job dropped it as stale.)
 */
class SkewedClocksITCase {

    private static final Duration SKEW = Duration.ofHours(1);

    /** Instance "ahead" (the system clock), with the tenants and keys. */
    private static ApiUnderTest api;

    /** Instance "behind": same tenants, keys and topics, its clock an hour slow. */
    private static ApiServer behind;

    private static PipelineRunner pipeline;
    private static ShardedStore store;

    @BeforeAll
    static void start() throws Exception {
        api = new ApiUnderTest();
        behind = ApiServer.create(api.config, Clock.offset(Clock.systemUTC(), SKEW.negated()));
        behind.start(0);
        pipeline = PipelineRunner.start(api.config);
        store = ShardedStore.open(api.config);
    }

    @AfterAll
    static void stop() throws Exception {
        pipeline.close();
        behind.stop();
        store.close();
        try (Seeder seeder = new Seeder(api.config)) {
            seeder.deleteTenant(api.tenantA);
        }
        api.close();
    }

    @Test
    void a_later_upload_through_the_instance_whose_clock_is_behind_wins() throws Exception {
        long first = put(api.server.port(), "behind-wins", "first");
        long second = put(behind.port(), "behind-wins", "second");

        assertThat(second).isGreaterThan(first);
        StoredDocument stored = awaitStored("behind-wins", d -> d.version() == second);
        assertThat(stored.title()).isEqualTo("second");
        assertThat(status("behind-wins").get("version").asLong()).isEqualTo(second);
    }

    @Test
    void a_later_upload_through_the_instance_whose_clock_is_ahead_wins() throws Exception {
        long first = put(behind.port(), "ahead-wins", "first");
        long second = put(api.server.port(), "ahead-wins", "second");

        assertThat(second).isGreaterThan(first);
        StoredDocument stored = awaitStored("ahead-wins", d -> d.version() == second);
        assertThat(stored.title()).isEqualTo("second");
    }

    @Test
    void a_later_delete_through_the_instance_whose_clock_is_behind_wins() throws Exception {
        long uploaded = put(api.server.port(), "deleted", "first");
        awaitStored("deleted", d -> d.version() == uploaded);

        HttpResponse<String> delete = send(behind.port(), "DELETE", "/v1/documents/deleted", null);

        assertThat(delete.statusCode()).as(delete.body()).isEqualTo(202);
        assertThat(json(delete.body()).get("version").asLong()).isGreaterThan(uploaded);
        long deadline = System.nanoTime() + Duration.ofSeconds(180).toNanos();
        while (store.find(api.tenantA, "deleted").isPresent() && System.nanoTime() < deadline) {
            Thread.sleep(200);
        }
        assertThat(store.find(api.tenantA, "deleted")).isEmpty();
        assertThat(api.get("/v1/documents/deleted", api.keyA).statusCode()).isEqualTo(404);
    }

    /** PUTs a document titled {@code title} through the instance on {@code port}; its version. */
    private static long put(int port, String id, String title) {
        HttpResponse<String> r =
                send(
                        port,
                        "PUT",
                        "/v1/documents/" + id,
                        "{\"title\":\""
                                + title
                                + "\",\"text\":\"The "
                                + title
                                + " text of "
                                + id
                                + ", about tides and the moon.\"}");
        assertThat(r.statusCode()).as(r.body()).isEqualTo(202);
        JsonNode body = json(r.body());
        assertThat(status(id).get("version").asLong())
                .as("the ACCEPTED status carries the version of the 202")
                .isEqualTo(body.get("version").asLong());
        return body.get("version").asLong();
    }

    private static HttpResponse<String> send(int port, String method, String path, String json) {
        HttpRequest.Builder request =
                api.request(path, api.keyA)
                        .uri(URI.create("http://127.0.0.1:" + port + path))
                        .method(
                                method,
                                json == null
                                        ? HttpRequest.BodyPublishers.noBody()
                                        : HttpRequest.BodyPublishers.ofString(json));
        if (json != null) {
            request.header("Content-Type", "application/json");
        }
        return api.send(request.build());
    }

    private static JsonNode status(String id) {
        HttpResponse<String> r = api.get("/v1/documents/" + id, api.keyA);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        return json(r.body());
    }

    /** Waits (bounded) until the shard holds the document as {@code done} describes. */
    private static StoredDocument awaitStored(String id, Predicate<StoredDocument> done)
            throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(180).toNanos();
        Optional<StoredDocument> stored = store.find(api.tenantA, id);
        while (stored.filter(done).isEmpty() && System.nanoTime() < deadline) {
            Thread.sleep(200);
            stored = store.find(api.tenantA, id);
        }
        assertThat(stored).as("%s in its shard", id).isPresent();
        assertThat(stored.get()).as("%s in its shard", id).matches(done);
        return stored.get();
    }
}
