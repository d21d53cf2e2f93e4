package io.kbstream.schemas;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Tests for {@link StatusJson}. */
class StatusJsonTest {

    @Test
    void status_becomes_the_api_fields_with_iso_instants() {
        DocumentStatus status =
                DocumentStatuses.of(
                        "e1",
                        "acme",
                        "doc-1",
                        5L,
                        DocumentState.INDEXED,
                        null,
                        12,
                        Instant.parse("2026-11-02T10:00:00Z"),
                        Instant.parse("2026-11-02T10:00:01.250Z"));

        Map<String, Object> json = StatusJson.toMap(status);

        assertThat(json.keySet())
                .containsExactly(
                        "id",
                        "tenant",
                        "version",
                        "status",
                        "reason",
                        "chunkCount",
                        "uploadedAt",
                        "updatedAt");
        assertThat(json)
                .containsEntry("id", "doc-1")
                .containsEntry("tenant", "acme")
                .containsEntry("version", 5L)
                .containsEntry("status", "INDEXED")
                .containsEntry("reason", null)
                .containsEntry("chunkCount", 12)
                .containsEntry("uploadedAt", "2026-11-02T10:00:00Z")
                .containsEntry("updatedAt", "2026-11-02T10:00:01.250Z");
    }
}
