package io.kbstream.schemas;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** Tests for {@link EventKeys}. */
class EventKeysTest {

    @Test
    void key_is_tenant_slash_document_id_in_utf8() {
        assertThat(new String(EventKeys.key("acme", "dokümént-1"), StandardCharsets.UTF_8))
                .isEqualTo("acme/dokümént-1");
    }

    @Test
    void the_document_key_is_the_kafka_key_as_text() {
        assertThat(EventKeys.documentKey("acme", "a/b"))
                .isEqualTo("acme/a/b")
                .isEqualTo(new String(EventKeys.key("acme", "a/b"), StandardCharsets.UTF_8));
    }

    @Test
    void event_and_status_of_one_document_share_a_key() {
        DocumentEvent event = AvroSerdeTest.upsert();
        DocumentStatus status = DocumentStatuses.accepted(event, DocumentVersions.ofOffset(0));

        assertThat(EventKeys.key(event)).isEqualTo(EventKeys.key(status));
    }
}
