package io.kbstream.core.extract;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.kbstream.core.extract.ExtractionException.Reason;
import io.kbstream.core.testing.TestDocuments;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import org.apache.pdfbox.pdmodel.PDDocument;
import org.apache.pdfbox.pdmodel.PDPage;
import org.apache.pdfbox.pdmodel.encryption.AccessPermission;
import org.apache.pdfbox.pdmodel.encryption.StandardProtectionPolicy;
import org.junit.jupiter.api.Test;

/** Tests for {@link TextExtractor}. */
class TextExtractorTest {

    private static byte[] pdf(String... pages) {
        return TestDocuments.pdf(pages);
    }

    private static long usedHeap() {
        Runtime rt = Runtime.getRuntime();
        return rt.totalMemory() - rt.freeMemory();
    }

    private final TextExtractor extractor = TextExtractor.create();

    @Test
    void plain_text_is_decoded_as_utf8_without_its_bom() throws Exception {
        byte[] bytes = "\uFEFFnaïve café — 北京".getBytes(StandardCharsets.UTF_8);

        assertThat(extractor.extract(bytes, "text/plain")).isEqualTo("naïve café — 北京");
    }

    @Test
    void plain_text_honours_the_declared_charset() throws Exception {
        byte[] latin1 = "café".getBytes(StandardCharsets.ISO_8859_1);

        assertThat(extractor.extract(latin1, "text/plain; charset=ISO-8859-1")).isEqualTo("café");
    }

    @Test
    void invalid_utf8_is_corrupt_not_mojibake() {
        byte[] latin1 = "café".getBytes(StandardCharsets.ISO_8859_1);

        assertThatThrownBy(() -> extractor.extract(latin1, "text/plain"))
                .isInstanceOf(ExtractionException.class)
                .hasMessageContaining("not valid UTF-8")
                .satisfies(
                        e ->
                                assertThat(((ExtractionException) e).reason())
                                        .isEqualTo(Reason.CORRUPT));
    }

    @Test
    void markdown_is_kept_as_written() throws Exception {
        String md = "# Title\n\nSome *emphasis* and a [link](http://example.com).\n";

        assertThat(extractor.extract(md.getBytes(StandardCharsets.UTF_8), "text/markdown"))
                .isEqualTo(md);
    }

    @Test
    void html_gives_visible_text_only_with_paragraphs_apart() throws Exception {
        String html =
                "<!doctype html><html><head><title>T</title><style>p{color:red}</style>"
                        + "<script>var secret = 1;</script></head><body>"
                        + "<h1>Heading</h1><p>First   paragraph &amp; <b>bold</b> text.</p>"
                        + "<div hidden>hidden div</div><p style=\"display: none\">no show</p>"
                        + "<noscript>enable js</noscript><ul><li>one</li><li>two</li></ul>"
                        + "<script>alert('x')</script></body></html>";

        String text =
                extractor.extract(
                        html.getBytes(StandardCharsets.UTF_8), "text/html; charset=utf-8");

        assertThat(text).isEqualTo("Heading\nFirst paragraph & bold text.\none\ntwo");
    }

    @Test
    void pdf_text_is_extracted_from_every_page() throws Exception {
        byte[] pdf = pdf("Streaming knowledge base", "Second page about pgvector");

        String text = extractor.extract(pdf, "application/pdf");

        assertThat(text)
                .contains("Streaming knowledge base")
                .contains("Second page about pgvector");
    }

    @Test
    void corrupt_pdf_is_a_typed_error() throws Exception {
        byte[] garbage = "%PDF-1.7\nthis is not really a pdf\n".getBytes(StandardCharsets.US_ASCII);
        byte[] truncated = TestDocuments.truncatedPdf();

        for (byte[] bad :
                new byte[][] {garbage, truncated, "hello".getBytes(StandardCharsets.US_ASCII)}) {
            assertThatThrownBy(() -> extractor.extract(bad, "application/pdf"))
                    .isInstanceOf(ExtractionException.class)
                    .hasMessageContaining("not a readable PDF")
                    .satisfies(
                            e ->
                                    assertThat(((ExtractionException) e).reason())
                                            .isEqualTo(Reason.CORRUPT));
        }
    }

    @Test
    void zip_bomb_pdf_is_refused_quickly_with_bounded_memory() {
        byte[] bomb = TestDocuments.zipBombPdf(1L << 29); // 512 MiB of content stream
        assertThat(bomb.length).isLessThan(8 * 1024 * 1024);
        long heapBefore = usedHeap();
        long start = System.nanoTime();

        assertThatThrownBy(() -> extractor.extract(bomb, "application/pdf"))
                .isInstanceOf(ExtractionException.class)
                .hasMessageContaining("expand to more than")
                .satisfies(
                        e ->
                                assertThat(((ExtractionException) e).reason())
                                        .isEqualTo(Reason.CORRUPT));

        assertThat(System.nanoTime() - start).as("nanos").isLessThan(30_000_000_000L);
        // PDFBox decoding it would hold all 512 MiB; the budget check holds a few buffers
        assertThat(usedHeap() - heapBefore).isLessThan(256L * 1024 * 1024);
    }

    @Test
    void binary_labelled_as_text_is_corrupt() {
        for (String type : new String[] {"text/plain", "text/markdown", "text/html"}) {
            assertThatThrownBy(() -> extractor.extract(TestDocuments.binaryAsText(), type))
                    .isInstanceOf(ExtractionException.class)
                    .hasMessageContaining("binary")
                    .satisfies(
                            e ->
                                    assertThat(((ExtractionException) e).reason())
                                            .isEqualTo(Reason.CORRUPT));
        }
    }

    @Test
    void deeply_nested_html_is_extracted_without_blowing_the_stack() throws Exception {
        String html = "<div>".repeat(50_000) + "deep words" + "</div>".repeat(50_000);

        assertThat(extractor.extract(html.getBytes(StandardCharsets.UTF_8), "text/html"))
                .isEqualTo("deep words");
    }

    @Test
    void pdf_without_text_says_so() throws Exception {
        byte[] blank = pdf();

        assertThatThrownBy(() -> extractor.extract(blank, "application/pdf"))
                .isInstanceOf(ExtractionException.class)
                .hasMessageContaining("no extractable text")
                .satisfies(
                        e ->
                                assertThat(((ExtractionException) e).reason())
                                        .isEqualTo(Reason.NO_TEXT));
    }

    @Test
    void password_protected_pdf_says_so() throws Exception {
        byte[] encrypted;
        try (PDDocument doc = new PDDocument()) {
            doc.addPage(new PDPage());
            StandardProtectionPolicy policy =
                    new StandardProtectionPolicy("owner", "user", new AccessPermission());
            policy.setEncryptionKeyLength(128);
            doc.protect(policy);
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            doc.save(out);
            encrypted = out.toByteArray();
        }

        assertThatThrownBy(() -> extractor.extract(encrypted, "application/pdf"))
                .isInstanceOf(ExtractionException.class)
                .hasMessageContaining("password")
                .satisfies(
                        e ->
                                assertThat(((ExtractionException) e).reason())
                                        .isEqualTo(Reason.ENCRYPTED));
    }

    @Test
    void unsupported_type_is_a_typed_error_listing_what_is_supported() {
        assertThat(extractor.supports("text/HTML; charset=utf-8")).isTrue();
        assertThat(extractor.supports("image/png")).isFalse();
        assertThatThrownBy(() -> extractor.extract(new byte[] {1, 2, 3}, "image/png"))
                .isInstanceOf(ExtractionException.class)
                .hasMessageContaining("image/png")
                .hasMessageContaining("application/pdf")
                .satisfies(
                        e ->
                                assertThat(((ExtractionException) e).reason())
                                        .isEqualTo(Reason.UNSUPPORTED_TYPE));
    }
}
