package io.kbstream.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.kbstream.api.testing.ApiUnderTest;
import io.kbstream.api.testing.Seeder;
import io.kbstream.client.Accepted;
import io.kbstream.client.ApiClient;
import io.kbstream.client.ApiException;
import io.kbstream.client.Upload;
import io.kbstream.core.store.ShardedStore;
import io.kbstream.core.store.StoredDocument;
import io.kbstream.jobs.testing.PipelineRunner;
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

    /** Tenant A's clients of the two instances. */
    private static ApiClient ahead;

    private static ApiClient behindClient;

    private static PipelineRunner pipeline;
    private static ShardedStore store;

    @BeforeAll
    static void start() throws Exception {
        api = new ApiUnderTest();
        behind = ApiServer.create(api.config, Clock.offset(Clock.systemUTC(), SKEW.negated()));
        behind.start(0);
        ahead = api.clientA();
        behindClient = ApiClient.of("http://127.0.0.1:" + behind.port(), api.keyA);
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
        long first = put(ahead, "behind-wins", "first");
        long second = put(behindClient, "behind-wins", "second");

        assertThat(second).isGreaterThan(first);
        StoredDocument stored = awaitStored("behind-wins", d -> d.version() == second);
        assertThat(stored.title()).isEqualTo("second");
        assertThat(ahead.status("behind-wins").version()).isEqualTo(second);
    }

    @Test
    void a_later_upload_through_the_instance_whose_clock_is_ahead_wins() throws Exception {
        long first = put(behindClient, "ahead-wins", "first");
        long second = put(ahead, "ahead-wins", "second");

        assertThat(second).isGreaterThan(first);
        StoredDocument stored = awaitStored("ahead-wins", d -> d.version() == second);
        assertThat(stored.title()).isEqualTo("second");
    }

    @Test
    void a_later_delete_through_the_instance_whose_clock_is_behind_wins() throws Exception {
        long uploaded = put(ahead, "deleted", "first");
        awaitStored("deleted", d -> d.version() == uploaded);

        Accepted delete = behindClient.delete("deleted");

        assertThat(delete.kind()).isEqualTo(Accepted.Kind.DELETING);
        assertThat(delete.version()).isGreaterThan(uploaded);
        long deadline = System.nanoTime() + Duration.ofSeconds(180).toNanos();
        while (store.find(api.tenantA, "deleted").isPresent() && System.nanoTime() < deadline) {
            Thread.sleep(200);
        }
        assertThat(store.find(api.tenantA, "deleted")).isEmpty();
        assertThatThrownBy(() -> ahead.status("deleted"))
                .isInstanceOfSatisfying(
                        ApiException.class, e -> assertThat(e.status()).isEqualTo(404));
    }

    /** PUTs a document titled {@code title} through {@code instance}; its version. */
    private static long put(ApiClient instance, String id, String title) {
        Accepted accepted =
                instance.put(
                        id,
                        Upload.text(
                                        "The "
                                                + title
                                                + " text of "
                                                + id
                                                + ", about tides and the moon.")
                                .title(title));
        assertThat(accepted.kind()).isEqualTo(Accepted.Kind.ACCEPTED);
        assertThat(ahead.status(id).version())
                .as("the ACCEPTED status carries the version of the 202")
                .isEqualTo(accepted.version());
        return accepted.version();
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
