package io.kbstream.schemas;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** Tests for the shard migrations under {@code schemas/sql}. */
class MigrationFilesTest {

    private static final Pattern NAME = Pattern.compile("(\\d{3})_[a-z0-9_]+\\.sql");
    private static final Pattern CREATE =
            Pattern.compile(
                    "CREATE\\s+(TABLE|INDEX|EXTENSION|UNIQUE\\s+INDEX)\\s+(\\S+\\s+\\S+\\s+\\S+)",
                    Pattern.CASE_INSENSITIVE);
    private static final Pattern ADD_COLUMN =
            Pattern.compile("ADD\\s+COLUMN\\s+(\\S+\\s+\\S+\\s+\\S+)", Pattern.CASE_INSENSITIVE);
    private static final Pattern DROP =
            Pattern.compile(
                    "DROP\\s+(INDEX|COLUMN|TABLE|TRIGGER|FUNCTION)\\s+(\\S+\\s+\\S+)",
                    Pattern.CASE_INSENSITIVE);
    private static final Pattern OTHER_CREATE =
            Pattern.compile("CREATE\\s+(FUNCTION|TRIGGER)", Pattern.CASE_INSENSITIVE);

    /** Idempotent by construction: a migration may consist of functions alone (013). */
    private static final Pattern REPLACE =
            Pattern.compile(
                    "CREATE\\s+OR\\s+REPLACE\\s+(FUNCTION|TRIGGER)", Pattern.CASE_INSENSITIVE);

    private static List<Path> migrations() throws IOException {
        try (Stream<Path> files = Files.list(Path.of("sql"))) {
            return files.filter(p -> p.toString().endsWith(".sql")).sorted().toList();
        }
    }

    @Test
    void migrations_are_numbered_contiguously_from_one() throws IOException {
        List<Path> files = migrations();
        assertThat(files).hasSizeGreaterThanOrEqualTo(5);
        for (int i = 0; i < files.size(); i++) {
            Matcher m = NAME.matcher(files.get(i).getFileName().toString());
            assertThat(m.matches()).as("name of %s", files.get(i)).isTrue();
            assertThat(Integer.parseInt(m.group(1))).isEqualTo(i + 1);
        }
    }

    @Test
    void every_create_is_idempotent() throws IOException {
        for (Path file : migrations()) {
            String sql = stripComments(Files.readString(file, StandardCharsets.UTF_8));
            Matcher m = CREATE.matcher(sql);
            int changes = 0;
            while (m.find()) {
                changes++;
                assertThat(m.group(2).toUpperCase(Locale.ROOT))
                        .as("%s: %s", file, m.group())
                        .startsWith("IF NOT EXISTS");
            }
            Matcher add = ADD_COLUMN.matcher(sql);
            while (add.find()) {
                changes++;
                assertThat(add.group(1).toUpperCase(Locale.ROOT))
                        .as("%s: %s", file, add.group())
                        .startsWith("IF NOT EXISTS");
            }
            Matcher drop = DROP.matcher(sql);
            while (drop.find()) {
                assertThat(drop.group(2).toUpperCase(Locale.ROOT))
                        .as("%s: %s", file, drop.group())
                        .startsWith("IF EXISTS");
            }
            Matcher replace = REPLACE.matcher(sql);
            while (replace.find()) {
                changes++;
            }
            Matcher other = OTHER_CREATE.matcher(sql);
            assertThat(other.find())
                    .as("%s: functions and triggers are CREATE OR REPLACE", file)
                    .isFalse();
            assertThat(changes).as("%s creates or adds something", file).isPositive();
            assertThat(sql.toUpperCase(Locale.ROOT))
                    .as("%s: the applier owns transactions", file)
                    .doesNotContain("BEGIN;")
                    .doesNotContain("COMMIT;")
                    .doesNotContain("CONCURRENTLY");
        }
    }

    @Test
    void chunks_hold_the384_dimensional_embedding_with_an_hnsw_cosine_index_and_bm25_postings()
            throws IOException {
        String all =
                String.join("\n", migrations().stream().map(MigrationFilesTest::read).toList());
        assertThat(all).contains("embedding  vector(384) NOT NULL");
        assertThat(all).contains("USING hnsw (embedding vector_cosine_ops)");
        assertThat(all)
                .contains("ON bm25_postings (term_id, impact DESC)")
                .contains("REFERENCING OLD TABLE AS removed")
                .contains("REFERENCING NEW TABLE AS added");
    }

    private static String read(Path p) {
        try {
            return Files.readString(p, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static String stripComments(String sql) {
        return sql.replaceAll("--[^\n]*", "");
    }
}
