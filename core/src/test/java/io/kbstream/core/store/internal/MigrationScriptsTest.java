package io.kbstream.core.store.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Tests for {@link MigrationScripts}. */
class MigrationScriptsTest {

    @Test
    void packaged_migrations_are_found_in_order() {
        List<MigrationScripts.Script> scripts = MigrationScripts.load();

        assertThat(scripts)
                .extracting(MigrationScripts.Script::name)
                .startsWith(
                        "001_extension_vector.sql",
                        "002_documents.sql",
                        "003_chunks.sql",
                        "004_chunk_indexes.sql",
                        "005_shard_info.sql");
        for (int i = 0; i < scripts.size(); i++) {
            assertThat(scripts.get(i).version()).isEqualTo(i + 1);
            assertThat(scripts.get(i).checksum()).hasSize(64);
            assertThat(scripts.get(i).sql()).isNotBlank();
        }
    }
}
