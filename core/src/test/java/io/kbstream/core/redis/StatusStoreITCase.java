package io.kbstream.core.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import io.kbstream.core.testing.LocalStackConfig;
import io.kbstream.schemas.DocumentState;
import io.kbstream.schemas.DocumentStatus;
import io.kbstream.schemas.DocumentStatuses;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.JedisPooled;

/** Tests for {@link StatusStore} on the local Redis. */
class StatusStoreITCase {

    private static JedisPooled redis;
    private static StatusStore statuses;

    @BeforeAll
    static void connect() {
        redis = RedisConnections.pooled(LocalStackConfig.load());
        statuses = new StatusStore(redis, Duration.ofMinutes(5));
    }

    @AfterAll
    static void close() {
        redis.close();
    }

    @Test
    void later_stage_of_the_same_version_wins_whatever_the_write_order() {
        String tenant = LocalStackConfig.uniqueTenant("status");
        assertThat(statuses.put(status(tenant, 7, DocumentState.INDEXED, 3))).isTrue();
        assertThat(statuses.put(status(tenant, 7, DocumentState.PROCESSING, 0))).isFalse();
        assertThat(statuses.put(status(tenant, 7, DocumentState.ACCEPTED, 0))).isFalse();

        DocumentStatus stored = statuses.get(tenant, "doc").orElseThrow();
        assertThat(stored.getState()).isEqualTo(DocumentState.INDEXED);
        assertThat(stored.getChunkCount()).isEqualTo(3);
    }

    @Test
    void older_version_never_overwrites_a_newer_one() {
        String tenant = LocalStackConfig.uniqueTenant("status");
        statuses.put(status(tenant, 9, DocumentState.ACCEPTED, 0));
        assertThat(statuses.put(status(tenant, 8, DocumentState.INDEXED, 2))).isFalse();
        assertThat(statuses.get(tenant, "doc").orElseThrow().getVersion()).isEqualTo(9);
    }

    @Test
    void deleted_document_has_no_status_and_only_a_newer_upload_can_revive_it() {
        String tenant = LocalStackConfig.uniqueTenant("status");
        statuses.put(status(tenant, 1, DocumentState.INDEXED, 1));
        statuses.markDeleted(tenant, "doc", 2);
        assertThat(statuses.get(tenant, "doc")).isEmpty();

        assertThat(statuses.put(status(tenant, 1, DocumentState.PROCESSING, 0))).isFalse();
        assertThat(statuses.get(tenant, "doc")).isEmpty();

        assertThat(statuses.put(status(tenant, 3, DocumentState.ACCEPTED, 0))).isTrue();
        assertThat(statuses.get(tenant, "doc").orElseThrow().getState())
                .isEqualTo(DocumentState.ACCEPTED);
    }

    @Test
    void list_pages_a_tenants_statuses_in_byte_order_without_deleted_ones_or_other_tenants() {
        String tenant = LocalStackConfig.uniqueTenant("status");
        String other = LocalStackConfig.uniqueTenant("status");
        for (String id : List.of("b", "é", "a", "c")) {
            statuses.put(status(tenant, id, 1, DocumentState.ACCEPTED, 0), "T-" + id);
        }
        statuses.put(status(other, "a0", 1, DocumentState.ACCEPTED, 0), "other");
        statuses.markDeleted(tenant, "c", 2);
        // a status without a title (the job's) keeps the upload's
        statuses.put(status(tenant, "a", 1, DocumentState.INDEXED, 3));

        StatusStore.Page first = statuses.list(tenant, null, 2);
        StatusStore.Page second = statuses.list(tenant, first.last(), 2);

        assertThat(first.statuses())
                .extracting(t -> t.status().getDocumentId(), StatusStore.Titled::title)
                .containsExactly(tuple("a", "T-a"), tuple("b", "T-b"));
        assertThat(first.statuses().get(0).status().getState()).isEqualTo(DocumentState.INDEXED);
        assertThat(first.statuses().get(0).status().getChunkCount()).isEqualTo(3);
        assertThat(first.full()).isTrue();
        assertThat(first.last()).isEqualTo("b");
        assertThat(second.statuses())
                .extracting(t -> t.status().getDocumentId())
                .containsExactly("é");
        assertThat(second.full()).isFalse();
    }

    private static DocumentStatus status(
            String tenant, long version, DocumentState state, int chunks) {
        return status(tenant, "doc", version, state, chunks);
    }

    private static DocumentStatus status(
            String tenant, String id, long version, DocumentState state, int chunks) {
        return DocumentStatuses.of(
                "e-" + version,
                tenant,
                id,
                version,
                state,
                null,
                chunks,
                Instant.ofEpochMilli(1000),
                Instant.ofEpochMilli(2000));
    }
}
