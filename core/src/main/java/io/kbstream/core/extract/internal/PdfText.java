package io.kbstream.core.extract.internal;

import io.kbstream.core.extract.ExtractionException;
import io.kbstream.core.extract.ExtractionException.Reason;
import java.io.IOException;
import org.apache.pdfbox.Loader;
import org.apache.pdfbox.pdmodel.PDDocument;
import org.apache.pdfbox.pdmodel.encryption.InvalidPasswordException;
import org.apache.pdfbox.text.PDFTextStripper;

/** Text of a PDF with PDFBox, in reading order. */
final class PdfText {

    /**
     * What a PDF's text-bearing streams may decode to, together. A 10 MB upload of text PDF decodes
     * to a few tens of MB; a compression bomb to gigabytes, all of it held by PDFBox.
     */
    static final long MAX_DECODED_BYTES = 128L * 1024 * 1024;

    private PdfText() {}

    static String text(byte[] content) throws ExtractionException {
        try (PDDocument doc = Loader.loadPDF(content)) {
            PdfStreamBudget.check(doc.getDocument(), MAX_DECODED_BYTES);
            PDFTextStripper stripper = new PDFTextStripper();
            stripper.setSortByPosition(true);
            String text = stripper.getText(doc).strip();
            if (text.isEmpty()) {
                throw new ExtractionException(
                        Reason.NO_TEXT,
                        "the PDF has "
                                + doc.getNumberOfPages()
                                + " page(s) but no extractable text (scanned images need OCR)");
            }
            return text;
        } catch (InvalidPasswordException e) {
            throw new ExtractionException(
                    Reason.ENCRYPTED, "the PDF is password-protected; upload it unlocked", e);
        } catch (IOException | RuntimeException | StackOverflowError e) {
            // PDFBox reports some malformed files with runtime errors, and deep nesting with a
            // stack overflow: all of them are a file it cannot read, never a reason to fail the job
            throw new ExtractionException(
                    Reason.CORRUPT, "the file is not a readable PDF (" + e.getMessage() + ")", e);
        }
    }
}
