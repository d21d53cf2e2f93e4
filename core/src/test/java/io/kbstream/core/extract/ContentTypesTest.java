package io.kbstream.core.extract;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** Tests for {@link ContentTypes}. */
class ContentTypesTest {

    @Test
    void the_extractor_reads_exactly_the_supported_types() {
        TextExtractor extractor = TextExtractor.create();

        assertThat(extractor.supportedTypes()).isEqualTo(ContentTypes.SUPPORTED);
        assertThat(ContentTypes.SUPPORTED)
                .allSatisfy(t -> assertThat(extractor.supports(t)).isTrue());
        assertThat(extractor.supports("application/zip")).isFalse();
    }

    @Test
    void a_media_type_drops_parameters_and_case() {
        assertThat(ContentTypes.mediaType(" Text/HTML; charset=ISO-8859-1")).isEqualTo("text/html");
        assertThat(ContentTypes.mediaType(null)).isEmpty();
    }

    @Test
    void file_names_are_typed_by_their_extension_or_not_at_all() {
        assertThat(ContentTypes.ofFileName("notes.TXT")).contains("text/plain");
        assertThat(ContentTypes.ofFileName("a/b/readme.markdown")).contains("text/markdown");
        assertThat(ContentTypes.ofFileName("page.htm")).contains("text/html");
        assertThat(ContentTypes.ofFileName("paper.pdf")).contains("application/pdf");
        assertThat(ContentTypes.ofFileName("archive.zip")).isEmpty();
        assertThat(ContentTypes.ofFileName(null)).isEmpty();
    }
}
