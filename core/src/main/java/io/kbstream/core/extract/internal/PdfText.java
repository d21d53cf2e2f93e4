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

    private PdfText() {}

    static String text(byte[] content) throws ExtractionException {
        try (PDDocument doc = Loader.loadPDF(content)) {
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
        } catch (IOException e) {
            throw new ExtractionException(
                    Reason.CORRUPT, "the file is not a readable PDF (" + e.getMessage() + ")", e);
        }
    }
}
