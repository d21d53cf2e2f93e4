package io.kbstream.core.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.zip.Deflater;
import java.util.zip.DeflaterOutputStream;
import org.apache.pdfbox.cos.COSName;
import org.apache.pdfbox.cos.COSStream;
import org.apache.pdfbox.pdmodel.PDDocument;
import org.apache.pdfbox.pdmodel.PDPage;
import org.apache.pdfbox.pdmodel.PDPageContentStream;
import org.apache.pdfbox.pdmodel.common.PDStream;
import org.apache.pdfbox.pdmodel.font.PDType1Font;
import org.apache.pdfbox.pdmodel.font.Standard14Fonts;

/** Good and corrupt documents for extractor, job and API tests. */
public final class TestDocuments {

    private TestDocuments() {}

    /** A PDF with one page per string (a blank page when none), made with PDFBox. */
    public static byte[] pdf(String... pages) {
        try (PDDocument doc = new PDDocument()) {
            PDType1Font font = new PDType1Font(Standard14Fonts.FontName.HELVETICA);
            if (pages.length == 0) {
                doc.addPage(new PDPage());
            }
            for (String text : pages) {
                PDPage page = new PDPage();
                doc.addPage(page);
                try (PDPageContentStream content = new PDPageContentStream(doc, page)) {
                    content.beginText();
                    content.setFont(font, 12);
                    content.newLineAtOffset(72, 700);
                    content.showText(text);
                    content.endText();
                }
            }
            return save(doc);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The first 40 bytes of a real PDF: a header and nothing else. */
    public static byte[] truncatedPdf() {
        return Arrays.copyOf(pdf("some text"), 40);
    }

    /**
     * A valid PDF whose one page's content stream is {@code decodedBytes} of whitespace, stored
     * with FlateDecode: about a thousandth of that on disk (deflate peaks near 1:1000).
     */
    public static byte[] zipBombPdf(long decodedBytes) {
        try (PDDocument doc = new PDDocument()) {
            PDPage page = new PDPage();
            doc.addPage(page);
            COSStream stream = doc.getDocument().createCOSStream();
            try (OutputStream raw = stream.createRawOutputStream()) {
                deflateSpaces(raw, decodedBytes);
            }
            stream.setItem(COSName.FILTER, COSName.FLATE_DECODE);
            page.setContents(new PDStream(stream));
            return save(doc);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Bytes that decode as UTF-8 without error but are binary: NULs and control bytes. */
    public static byte[] binaryAsText() {
        byte[] bytes = new byte[4096];
        for (int i = 0; i < bytes.length; i++) {
            bytes[i] = (byte) (i % 32); // 0x00..0x1f: all valid one-byte UTF-8
        }
        return bytes;
    }

    /** Text that is not UTF-8 (random high bytes). */
    public static byte[] invalidUtf8() {
        return new byte[] {'a', (byte) 0xC3, (byte) 0x28, (byte) 0xFF, (byte) 0xFE, 'b'};
    }

    public static byte[] utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    private static void deflateSpaces(OutputStream raw, long bytes) throws IOException {
        byte[] block = new byte[1 << 16];
        Arrays.fill(block, (byte) ' ');
        try (DeflaterOutputStream out =
                new DeflaterOutputStream(raw, new Deflater(Deflater.BEST_COMPRESSION), 1 << 16)) {
            for (long left = bytes; left > 0; left -= block.length) {
                out.write(block, 0, (int) Math.min(block.length, left));
            }
        }
    }

    private static byte[] save(PDDocument doc) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        doc.save(out);
        return out.toByteArray();
    }
}
